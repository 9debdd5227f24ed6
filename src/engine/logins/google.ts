import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GafferError } from "../../errors.ts";
import { placeholderFor } from "../../sandbox/index.ts";
import { postToken, replaceLoginFile, type TokenEndpoint, tokenKeeper } from "./oauth.ts";
import { type Login, REFRESH_MARGIN_MS } from "./types.ts";

/** Gemini CLI's Code Assist API, where a Google login's requests go. */
const CODE_ASSIST_HOST = "cloudcode-pa.googleapis.com";
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/**
 * Gemini CLI's OAuth client: an installed application's, published in its source, with which the
 * user's refresh token was issued and must be refreshed (Google's installed-app secrets are not secret).
 */
const GEMINI_CLIENT_ID = "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com";
const GEMINI_CLIENT_SECRET = "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";
/** The variable Gemini CLI takes a Code Assist access token from (with GOOGLE_GENAI_USE_GCA). */
const TOKEN_VARIABLE = "GOOGLE_CLOUD_ACCESS_TOKEN";

/** `~/.gemini/oauth_creds.json` as Gemini CLI writes it after a Google login (google-auth-library's credentials). */
interface GoogleCredentials {
  access_token: string;
  refresh_token: string;
  expiry_date?: number;
  [other: string]: unknown;
}

/** Gemini CLI's cached Google login of gaffer's user: `$GEMINI_CLI_HOME/.gemini/oauth_creds.json`, by default under HOME. */
export function geminiCredentialsPath(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.GEMINI_CLI_HOME ?? home, ".gemini", "oauth_creds.json");
}

/**
 * Gemini CLI's Google login. Nothing of it enters the sandbox: Gemini CLI takes a Code Assist
 * access token from its environment (GOOGLE_GENAI_USE_GCA, GOOGLE_CLOUD_ACCESS_TOKEN) and never
 * refreshes one it was given, so the sandbox holds a placeholder there and no file. gaffer
 * refreshes the real token with Gemini CLI's client when it is about to expire and saves it to
 * the user's file, as Gemini CLI does.
 */
export function googleLogin(path: string, endpoint: TokenEndpoint, now = Date.now): Login {
  let credentials = readCredentials(path);
  const refresh = async () => {
    const onDisk = readCredentials(path);
    if (onDisk.access_token !== credentials.access_token && !due(onDisk, now())) {
      credentials = onDisk;
      return;
    }
    const answer = await postToken(
      endpoint,
      {
        form: {
          client_id: GEMINI_CLIENT_ID,
          client_secret: GEMINI_CLIENT_SECRET,
          grant_type: "refresh_token",
          refresh_token: onDisk.refresh_token,
        },
      },
      "Google",
    );
    if (typeof answer.access_token !== "string")
      throw new GafferError("model-login", "the Google login's refresh gave no access token");
    const lifetime = typeof answer.expires_in === "number" ? answer.expires_in : 3600;
    credentials = {
      ...onDisk,
      ...answer,
      access_token: answer.access_token,
      refresh_token: typeof answer.refresh_token === "string" ? answer.refresh_token : onDisk.refresh_token,
      expiry_date: now() + lifetime * 1000,
    };
    delete credentials.expires_in;
    replaceLoginFile(path, credentials);
  };
  const keeper = tokenKeeper(
    () => credentials.access_token,
    () => due(credentials, now()),
    refresh,
  );
  return {
    name: "google",
    host: CODE_ASSIST_HOST,
    api: "gemini",
    label: "Google login",
    token: keeper.token,
    rejected: keeper.rejected,
    sandboxCopy: () => ({ GOOGLE_GENAI_USE_GCA: "true", [TOKEN_VARIABLE]: placeholderFor(TOKEN_VARIABLE) }),
  };
}

function due(credentials: GoogleCredentials, now: number): boolean {
  return credentials.expiry_date === undefined || credentials.expiry_date - REFRESH_MARGIN_MS <= now;
}

function readCredentials(path: string): GoogleCredentials {
  const problem = (why: string) =>
    new GafferError(
      "model-login",
      `${path}: ${why}`,
      'sign in to Gemini CLI with Google on this machine (`gemini`, then "Login with Google"), or drop "google" from [models] logins',
    );
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw problem(
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "no Gemini CLI login here"
        : "not a Gemini CLI credentials file",
    );
  }
  const creds = value as Partial<GoogleCredentials> | null;
  if (typeof creds?.access_token !== "string" || typeof creds.refresh_token !== "string")
    throw problem("no Google OAuth tokens");
  return creds as GoogleCredentials;
}
