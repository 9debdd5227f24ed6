import type { CredentialHeader, ModelApi } from "../sandbox/index.ts";

/** A variable holding a model credential, and the header its API expects it in. */
export interface KeyVariable {
  variable: string;
  header: CredentialHeader;
}

/** A host that serves a model API: the proxy adds the credentials of `keys` there and reads the answers. */
export interface ModelHost {
  /** `host`, or `host:port` for a port other than 443. */
  host: string;
  api: ModelApi;
  /** `host:port` gaffer connects to instead (a gateway, a test server). */
  upstream?: string;
  /** In order of preference: the first set one is added when the agent sent none of the placeholders. */
  keys: KeyVariable[];
}

const bearer = (variable: string): KeyVariable => ({ variable, header: "authorization" });

/** Each API's credential variables, as the agents read them. */
export const API_KEYS: Readonly<Record<ModelApi, readonly KeyVariable[]>> = {
  // An API key goes in x-api-key; a token (a gateway's, `claude setup-token`'s OAuth token) is a Bearer.
  anthropic: [
    { variable: "ANTHROPIC_API_KEY", header: "x-api-key" },
    bearer("ANTHROPIC_AUTH_TOKEN"),
    bearer("CLAUDE_CODE_OAUTH_TOKEN"),
  ],
  openai: [bearer("OPENAI_API_KEY"), bearer("CODEX_API_KEY"), bearer("OPENROUTER_API_KEY")],
  gemini: [
    { variable: "GEMINI_API_KEY", header: "x-goog-api-key" },
    { variable: "GOOGLE_API_KEY", header: "x-goog-api-key" },
  ],
};

/** The model hosts gaffer knows without configuration. `[models.hosts]` adds to them or replaces one. */
export const BUILTIN_MODEL_HOSTS: readonly ModelHost[] = [
  { host: "api.anthropic.com", api: "anthropic", keys: [...API_KEYS.anthropic] },
  { host: "api.openai.com", api: "openai", keys: [bearer("OPENAI_API_KEY"), bearer("CODEX_API_KEY")] },
  { host: "openrouter.ai", api: "openai", keys: [bearer("OPENROUTER_API_KEY")] },
  { host: "generativelanguage.googleapis.com", api: "gemini", keys: [...API_KEYS.gemini] },
];

/** Every variable that holds a model credential, for the APIs gaffer knows. */
export const KEY_VARIABLES: ReadonlySet<string> = new Set(
  Object.values(API_KEYS).flatMap((keys) => keys.map((key) => key.variable)),
);
