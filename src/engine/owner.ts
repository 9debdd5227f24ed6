import { hostname } from "node:os";
import { processStartTime } from "../util/index.ts";

/**
 * A token naming one gaffer process: host, pid and the process's start time, so a recycled pid
 * is not mistaken for the process that owned a run.
 */
export function ownerToken(pid = process.pid): string {
  return `${hostname()}:${pid}:${processStartTime(pid) ?? "0"}`;
}

/** False only when the owner is provably gone: same host and no process with that pid and start time. */
export function isOwnerAlive(token: string): boolean {
  const [host, pid, started] = token.split(":");
  if (host !== hostname()) return true;
  const current = processStartTime(Number(pid));
  return current !== undefined && current === started;
}
