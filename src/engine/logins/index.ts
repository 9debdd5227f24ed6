import { homedir } from "node:os";
import type { AgentPreset } from "../../agents/index.ts";
import { type GafferConfig, readModelCa } from "../../config/index.ts";
import { CHATGPT_TOKEN_URL, CHATGPT_TOKEN_URL_VARIABLE, chatgptLogin, codexAuthPath } from "./chatgpt.ts";
import { geminiCredentialsPath, GOOGLE_TOKEN_URL, googleLogin } from "./google.ts";
import type { Login, LoginName } from "./types.ts";

export type { Login } from "./types.ts";
export { chatgptLogin } from "./chatgpt.ts";
export { googleLogin } from "./google.ts";

/** The agent each login belongs to, by the agent's native kind. */
const LOGIN_AGENT: Record<LoginName, string> = { chatgpt: "codex", google: "gemini" };

/** The names in `[models] logins` that belong to this run's agent. */
export function loginsOf(config: GafferConfig, preset: AgentPreset): LoginName[] {
  const kind = preset.driver === "scripted" ? undefined : preset.nativeRules;
  return config.models.logins.filter((name) => LOGIN_AGENT[name] === kind);
}

/**
 * The logins of `[models] logins` that this run's agent uses (Codex: ChatGPT; Gemini CLI: Google),
 * read from gaffer's user's own files. A login named but not there is a "model-login" error.
 */
export function runLogins(
  config: GafferConfig,
  preset: AgentPreset,
  env: NodeJS.ProcessEnv = process.env,
): Login[] {
  const names = loginsOf(config, preset);
  if (names.length === 0) return [];
  const ca = readModelCa(config.models.ca);
  const home = env.HOME ?? homedir();
  return names.map((name) =>
    name === "chatgpt"
      ? chatgptLogin(codexAuthPath(env, home), {
          url: env[CHATGPT_TOKEN_URL_VARIABLE] ?? CHATGPT_TOKEN_URL,
          ca,
        })
      : googleLogin(geminiCredentialsPath(env, home), { url: GOOGLE_TOKEN_URL, ca }),
  );
}
