import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GafferError } from "../../errors.ts";
import { placeholderFor } from "../../sandbox/index.ts";
import { writeFreshFile } from "../../util/index.ts";
import { jwtClaims, unsignedJwt } from "./jwt.ts";
import { postToken, replaceLoginFile, type TokenEndpoint, tokenKeeper } from "./oauth.ts";
import { FAR_FUTURE_MS, type Login, REFRESH_MARGIN_MS } from "./types.ts";

/** Where Codex sends a ChatGPT login's requests (its Responses API lives under /backend-api/codex). */
const CHATGPT_HOST = "chatgpt.com";
/** Codex's own refresh endpoint and OAuth client (`codex-rs/login`); Codex reads the same override. */
export const CHATGPT_TOKEN_URL = "https://auth.openai.com/oauth/token";
export const CHATGPT_TOKEN_URL_VARIABLE = "CODEX_REFRESH_TOKEN_URL_OVERRIDE";
const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
/** Codex refreshes a token without an expiry this long after its last refresh. */
const REFRESH_INTERVAL_MS = 8 * 24 * 60 * 60 * 1000;
/** The claims of Codex's ID token that say who is signed in (none of them grants anything). */
const AUTH_CLAIMS = "https://api.openai.com/auth";

/** `$CODEX_HOME/auth.json` as Codex writes it after `codex login` with ChatGPT. */
interface CodexAuthFile {
  auth_mode?: string;
  OPENAI_API_KEY?: string | null;
  tokens: { id_token: string; access_token: string; refresh_token: string; account_id?: string };
  last_refresh?: string;
  [other: string]: unknown;
}

/** The Codex auth file of gaffer's user: `$CODEX_HOME/auth.json`, by default `~/.codex/auth.json`. */
export function codexAuthPath(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.CODEX_HOME ?? join(home, ".codex"), "auth.json");
}

/**
 * Codex's ChatGPT login, from the user's auth file. The sandbox's copy (in the agent's CODEX_HOME)
 * keeps who is signed in — the account id, email and plan, which Codex sends or shows — and holds
 * a placeholder access token that expires in ten years and a placeholder refresh token, so Codex
 * never refreshes by itself. gaffer refreshes the real token at Codex's endpoint when it is about
 * to expire and writes it back to the user's file, as Codex does (a refresh token works once).
 */
export function chatgptLogin(path: string, endpoint: TokenEndpoint, now = Date.now): Login {
  let auth = readCodexAuth(path);
  const refresh = async () => {
    // Another process (the user's own Codex, another run) may have refreshed it since.
    const onDisk = readCodexAuth(path);
    if (onDisk.tokens.access_token !== auth.tokens.access_token && !due(onDisk, now())) {
      auth = onDisk;
      return;
    }
    const answer = await postToken(
      endpoint,
      {
        json: {
          client_id: CODEX_CLIENT_ID,
          grant_type: "refresh_token",
          refresh_token: onDisk.tokens.refresh_token,
        },
      },
      "ChatGPT",
    );
    const text = (name: string) => (typeof answer[name] === "string" ? (answer[name] as string) : undefined);
    const accessToken = text("access_token");
    if (!accessToken)
      throw new GafferError("model-login", "the ChatGPT login's refresh gave no access token");
    auth = {
      ...onDisk,
      tokens: {
        ...onDisk.tokens,
        access_token: accessToken,
        id_token: text("id_token") ?? onDisk.tokens.id_token,
        refresh_token: text("refresh_token") ?? onDisk.tokens.refresh_token,
      },
      last_refresh: new Date(now()).toISOString(),
    };
    replaceLoginFile(path, auth);
  };
  const keeper = tokenKeeper(
    () => auth.tokens.access_token,
    () => due(auth, now()),
    refresh,
  );
  return {
    name: "chatgpt",
    host: CHATGPT_HOST,
    api: "openai",
    label: "ChatGPT login",
    token: keeper.token,
    rejected: keeper.rejected,
    sandboxCopy(agentDir) {
      const copy = sandboxAuth(auth, now());
      writeFreshFile(join(agentDir, "auth.json"), `${JSON.stringify(copy, null, 2)}\n`, {
        within: agentDir,
        mode: 0o600,
      });
      return {};
    },
  };
}

/** Whether the access token expires within the margin (or, without an expiry, Codex's interval passed). */
function due(auth: CodexAuthFile, now: number): boolean {
  const exp = jwtClaims(auth.tokens.access_token)?.exp;
  if (typeof exp === "number") return exp * 1000 - REFRESH_MARGIN_MS <= now;
  const last = Date.parse(auth.last_refresh ?? "");
  return Number.isNaN(last) || last + REFRESH_INTERVAL_MS <= now;
}

/** What the sandbox's Codex reads: who is signed in, and nothing that authorises anything. */
function sandboxAuth(auth: CodexAuthFile, now: number): CodexAuthFile {
  const claims = jwtClaims(auth.tokens.id_token) ?? {};
  const expires = Math.floor((now + FAR_FUTURE_MS) / 1000);
  const who = {
    ...(typeof claims.email === "string" && { email: claims.email }),
    ...(typeof claims[AUTH_CLAIMS] === "object" && { [AUTH_CLAIMS]: pick(claims[AUTH_CLAIMS]) }),
  };
  return {
    auth_mode: "chatgpt",
    OPENAI_API_KEY: null,
    tokens: {
      id_token: unsignedJwt({ ...who, exp: expires }),
      access_token: unsignedJwt({ exp: expires, gaffer: placeholderFor("CHATGPT_ACCESS_TOKEN") }),
      refresh_token: placeholderFor("CHATGPT_REFRESH_TOKEN"),
      ...(auth.tokens.account_id !== undefined && { account_id: auth.tokens.account_id }),
    },
    last_refresh: new Date(now + FAR_FUTURE_MS).toISOString(),
  };
}

/** The account claims Codex shows or sends: plan, user and account ids. */
function pick(value: unknown): Record<string, unknown> {
  const claims = value as Record<string, unknown>;
  const kept = ["chatgpt_plan_type", "chatgpt_user_id", "user_id", "chatgpt_account_id"];
  return Object.fromEntries(
    kept.filter((name) => typeof claims[name] === "string").map((name) => [name, claims[name]]),
  );
}

function readCodexAuth(path: string): CodexAuthFile {
  const problem = (why: string) =>
    new GafferError(
      "model-login",
      `${path}: ${why}`,
      'sign in to Codex with ChatGPT on this machine (`codex login`), or drop "chatgpt" from [models] logins',
    );
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw problem(
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no Codex login here" : "not a Codex auth file",
    );
  }
  const tokens = (value as { tokens?: Record<string, unknown> } | null)?.tokens;
  if (typeof tokens?.access_token !== "string" || typeof tokens.refresh_token !== "string")
    throw problem("no ChatGPT tokens (an API-key login is used through [models] keys instead)");
  return value as CodexAuthFile;
}
