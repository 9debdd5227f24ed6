import { renameSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { rootCertificates } from "node:tls";
import { GafferError } from "../../errors.ts";

/** How a login's token is refreshed outside the sandbox: where, and which extra authorities to trust there. */
export interface TokenEndpoint {
  url: string;
  /** PEM authorities trusted beside the system's (`[models] ca`). */
  ca: readonly string[];
}

/** A refresh answer this big is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * POSTs a refresh request to an OAuth token endpoint over verified TLS and returns its JSON
 * answer. A failure says which login could not be refreshed, never the token.
 */
export function postToken(
  endpoint: TokenEndpoint,
  body: { json: object } | { form: Record<string, string> },
  login: string,
): Promise<Record<string, unknown>> {
  const payload = "json" in body ? JSON.stringify(body.json) : new URLSearchParams(body.form).toString();
  const contentType = "json" in body ? "application/json" : "application/x-www-form-urlencoded";
  return new Promise((resolve, reject) => {
    const fail = (why: string) =>
      reject(
        new GafferError(
          "model-login",
          `the ${login} login could not be refreshed: ${why}`,
          "sign in again with the agent's own CLI on this machine, then run again",
        ),
      );
    const req = request(
      endpoint.url,
      {
        method: "POST",
        headers: { "content-type": contentType, accept: "application/json" },
        ...(endpoint.ca.length > 0 && { ca: [...rootCertificates, ...endpoint.ca] }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on("error", (error) => fail(error.message));
        res.on("end", () => {
          if (res.statusCode !== 200) return fail(`${new URL(endpoint.url).host} answered ${res.statusCode}`);
          try {
            const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            if (typeof value !== "object" || value === null) return fail("the answer is not a JSON object");
            resolve(value as Record<string, unknown>);
          } catch {
            fail("the answer is not JSON");
          }
        });
      },
    );
    req.on("error", (error) => fail(error.message));
    req.end(payload);
  });
}

/** Replaces the user's login file in one step (another reader sees the old or the new), private to the user. */
export function replaceLoginFile(path: string, value: object): void {
  const fresh = `${path}.gaffer-${process.pid}`;
  writeFileSync(fresh, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(fresh, path);
}

/**
 * A login's current token: refreshed first when it is `due` or after the provider refused it (a
 * token revoked before its expiry), one refresh at a time (callers that ask meanwhile share it).
 */
export function tokenKeeper(
  current: () => string,
  due: () => boolean,
  refresh: () => Promise<void>,
): { token(): Promise<string>; rejected(token: string): void } {
  let running: Promise<void> | undefined;
  let refused: string | undefined;
  return {
    async token() {
      if (due() || refused === current()) {
        running ??= refresh().finally(() => {
          running = undefined;
          refused = undefined;
        });
        await running;
      }
      return current();
    },
    rejected(token) {
      refused = token;
    },
  };
}
