import { readFileSync } from "node:fs";
import type { TrackerConfig } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import type { ForgeContext, ForgeFailure } from "../forge-errors.ts";
import type { ClientTuning } from "../types.ts";

/**
 * Octokit with GitHub's rate limits honoured (primary and secondary, `retry-after`) and failed
 * requests retried. Loaded when a client is first made: a command that never reaches GitHub
 * does not pay for Octokit.
 */
async function clientClass() {
  const [{ Octokit }, { throttling }, { retry }] = await Promise.all([
    import("@octokit/rest"),
    import("@octokit/plugin-throttling"),
    import("@octokit/plugin-retry"),
  ]);
  return Octokit.plugin(throttling, retry);
}
export type GitHubClient = InstanceType<Awaited<ReturnType<typeof clientClass>>>;

/** Octokit logs deprecations and retries to the console; gaffer reports through its own errors. */
const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * A client authenticated as `[tracker]` says: a token read from its variable (only here, never
 * stored), or a GitHub App's installation, found from the repository when not configured.
 */
export async function githubClient(
  config: TrackerConfig,
  env: NodeJS.ProcessEnv,
  tuning: ClientTuning,
  context: ForgeContext,
): Promise<GitHubClient> {
  const host = new URL(config.url).host;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _client: unknown, retryCount: number) => {
      if (retryCount >= tuning.retries || retryAfter * 1000 > tuning.maxThrottleWaitMs) return false;
      tuning.onThrottle(
        `${host} is throttling gaffer (${kind}): ${options.method} ${options.url} again in ${retryAfter}s`,
        retryAfter * 1000,
      );
      return true;
    };
  const common = {
    baseUrl: config.url,
    userAgent: "gaffer",
    log: QUIET,
    throttle: {
      id: `gaffer-${config.repo}-${Math.random()}`,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
    },
    retry: { retries: tuning.retries, retryAfterBaseValue: tuning.retryBaseMs },
  };
  const auth = config.auth;
  if (auth.kind === "token") {
    const token = env[auth.env];
    if (!token) {
      throw new GafferError(
        "tracker-auth",
        `[tracker] token_env ${auth.env} is not set`,
        `export ${auth.env}=<a token>; docs/FORGES.md says which scopes it needs`,
      );
    }
    return new (await clientClass())({ ...common, auth: token });
  }
  const privateKey = readKey(auth.privateKeyFile);
  const [GitHubClient, { createAppAuth }] = await Promise.all([clientClass(), import("@octokit/auth-app")]);
  let installationId = auth.installationId;
  if (installationId === undefined) {
    const app = new GitHubClient({
      ...common,
      authStrategy: createAppAuth,
      auth: { appId: auth.appId, privateKey },
    });
    const [owner, repo] = config.repo.split("/") as [string, string];
    try {
      installationId = (await app.rest.apps.getRepoInstallation({ owner, repo })).data.id;
    } catch (error) {
      const failure = githubFailure(error);
      if (failure.status === 404) {
        throw new GafferError(
          "tracker-auth",
          `${context.credential} is not installed on ${context.where}`,
          "install the App on the repository (its settings page, Install App)",
        );
      }
      throw error;
    }
  }
  return new GitHubClient({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: auth.appId, privateKey, installationId },
  });
}

function readKey(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new GafferError(
      "tracker-auth",
      `[tracker] private_key_file ${file} cannot be read`,
      "download the App's private key (.pem) and give its path",
    );
  }
}

/** What a failed Octokit request says, in the shape every tracker reports failures. */
export function githubFailure(error: unknown): ForgeFailure {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { data?: unknown; headers?: Record<string, string | undefined> };
  };
  const status = typeof e.status === "number" ? e.status : undefined;
  const data = e.response?.data as { message?: unknown } | undefined;
  const message =
    typeof data?.message === "string"
      ? data.message
      : typeof e.message === "string"
        ? e.message
        : String(error);
  const headers = e.response?.headers ?? {};
  return {
    status: status === 500 && !e.response ? undefined : status,
    message,
    needed: headers["x-accepted-github-permissions"],
    throttled:
      (status === 403 || status === 429) &&
      (headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(message)),
  };
}
