import type { ModelApi } from "../../sandbox/index.ts";

/** The logins of agents' own CLIs gaffer can keep outside the sandbox. */
export type LoginName = "chatgpt" | "google";

/**
 * A user's own agent login, held by gaffer: its token goes upstream from the proxy, refreshed here,
 * and the sandbox gets only what the agent needs to believe it is signed in.
 */
export interface Login {
  name: LoginName;
  /** The model host the login's token is for, and the API spoken there. */
  host: string;
  api: ModelApi;
  /** Names the login's credential in events (no variable of gaffer's holds it). */
  label: string;
  /** The current access token, refreshed first (and saved to the user's file) when about to expire. */
  token(): Promise<string>;
  /** The provider refused `token` (401): the next request refreshes it first. */
  rejected(token: string): void;
  /**
   * Writes into the agent's config dir `agentDir` what the agent reads in place of the login —
   * placeholders, no token, no refresh due for years — and returns the variables to set inside.
   */
  sandboxCopy(agentDir: string): Record<string, string>;
}

/** A refresh is due this long before the token expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** How far ahead the sandbox's copy says its placeholder token lasts. */
export const FAR_FUTURE_MS = 10 * 365 * 24 * 60 * 60 * 1000;
