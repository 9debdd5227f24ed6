import { setTimeout as sleep } from "node:timers/promises";
import type { Api } from "gitea-js";
import type { TrackerConfig } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import type { ForgeFailure } from "../forge-errors.ts";
import type { ClientTuning } from "../types.ts";

export type GiteaClient = Api<unknown>;

/**
 * A gitea-js client with the token read from its variable (only here, never stored). gitea-js is
 * loaded when a client is first made: a command that never reaches the forge does not pay for it.
 */
export async function giteaClient(
  config: TrackerConfig,
  env: NodeJS.ProcessEnv,
  tuning: ClientTuning,
): Promise<GiteaClient> {
  const token = giteaToken(config, env);
  const { giteaApi } = await import("gitea-js");
  return giteaApi(config.url, { token, customFetch: retryingFetch(tuning, new URL(config.url).host) });
}

/** The token, from the variable `[tracker] token_env` names. */
export function giteaToken(config: TrackerConfig, env: NodeJS.ProcessEnv): string {
  if (config.auth.kind !== "token") throw new Error("Gitea and Forgejo authenticate with a token");
  const token = env[config.auth.env];
  if (!token) {
    throw new GafferError(
      "tracker-auth",
      `[tracker] token_env ${config.auth.env} is not set`,
      `export ${config.auth.env}=<a token>; docs/FORGES.md says which scopes it needs`,
    );
  }
  return token;
}

/**
 * fetch that retries what a forge may answer later: a connection error or a 5xx after a growing
 * wait (n² × the base), a 429 (or a 403 with `retry-after`) after the wait the forge asks for,
 * within the tuning's bounds. The last answer is returned as it is.
 */
export function retryingFetch(tuning: ClientTuning, host: string): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const backoff = tuning.retryBaseMs * (attempt + 1) ** 2;
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        if (attempt >= tuning.retries) throw error;
        await sleep(backoff);
        continue;
      }
      const retryAfter = response.headers.get("retry-after");
      const throttled = response.status === 429 || (response.status === 403 && retryAfter !== null);
      const waitMs = throttled ? Number(retryAfter ?? 1) * 1000 : backoff;
      const again = throttled ? waitMs <= tuning.maxThrottleWaitMs : response.status >= 500;
      if (!again || attempt >= tuning.retries) return response;
      if (throttled)
        tuning.onThrottle(
          `${host} is throttling gaffer: ${init?.method ?? "GET"} again in ${waitMs / 1000}s`,
          waitMs,
        );
      await response.arrayBuffer();
      await sleep(waitMs);
    }
  };
}

/** What a failed gitea-js request says: it throws the response, with the forge's JSON as `error`. */
export function giteaFailure(error: unknown): ForgeFailure {
  if (!(error instanceof Response))
    return { status: undefined, message: error instanceof Error ? error.message : String(error) };
  const body = (error as Response & { error?: { message?: unknown } }).error;
  const message = typeof body?.message === "string" ? body.message : error.statusText;
  const scope = /required scope\(s\): \[([^\]]+)\]/.exec(message)?.[1];
  return {
    status: error.status,
    message,
    needed: scope && `the ${scope} scope`,
    throttled: error.status === 429,
  };
}
