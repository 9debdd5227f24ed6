import { stringify } from "smol-toml";
import { GIT_RULES } from "../rules.ts";

/**
 * The top of the user tier (0–999): above the default and workspace tiers, which a project's
 * own `.gemini/policies` would use, and above the user's saved "always allow" choices.
 */
const PRIORITY = 999;

/**
 * A Gemini CLI policy (`<GEMINI_CLI_HOME>/.gemini/policies/gaffer.toml`): one deny rule per git
 * rule, matched with `commandPrefix` (an anchored `commandRegex` was seen not to match). Deny
 * rules hold in every approval mode, yolo included.
 */
export function geminiPolicy(): string {
  const rule = GIT_RULES.map((gitRule) => ({
    toolName: "run_shell_command",
    commandPrefix: gitRule.prefixes.map((prefix) => ["git", ...prefix].join(" ")),
    decision: "deny",
    priority: PRIORITY,
  }));
  return `# gaffer's git policy (generated; do not edit)\n${stringify({ rule })}\n`;
}

/**
 * Gemini CLI settings (`<GEMINI_CLI_HOME>/.gemini/settings.json`): API-key authentication, or the
 * Google login ("oauth-personal") when gaffer holds the user's (its token then comes from the
 * environment, a placeholder). Without it a headless or ACP gemini with `GOOGLE_GEMINI_BASE_URL`
 * set picks the "gateway" method, which it then refuses to run with.
 */
export function geminiSettings(googleLogin = false): string {
  const selectedType = googleLogin ? "oauth-personal" : "gemini-api-key";
  return `${JSON.stringify({ security: { auth: { selectedType } } }, null, 2)}\n`;
}
