import { isIP } from "node:net";
import { GafferError } from "../errors.ts";

/** Where the dashboard listens, and how: plain HTTP on loopback, TLS or an explicit `insecure` elsewhere. */
export interface BindOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string } | undefined;
  insecure?: boolean | undefined;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/** Refuses a bind anyone else can reach unless its traffic is encrypted or the user said otherwise. */
export function checkBind(options: BindOptions): void {
  if (isLoopback(options.host) || options.tls || options.insecure) return;
  throw new GafferError(
    "usage",
    `gaffer serve --host ${options.host}: a dashboard others can reach needs TLS`,
    "pass --tls-cert <file> --tls-key <file>, or --insecure to serve plain HTTP anyway",
  );
}
