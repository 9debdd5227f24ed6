import { deniedCommands } from "./commands.ts";

/** Credentials in a home directory that no agent needs to read. */
const HOME_SECRETS = [
  "~/.ssh/**",
  "~/.aws/**",
  "~/.gnupg/**",
  "~/.config/gh/**",
  "~/.config/gcloud/**",
  "~/.kube/**",
  "~/.docker/config.json",
  "~/.netrc",
  "~/.git-credentials",
  "~/.npmrc",
  "~/.pypirc",
];

/**
 * Claude Code settings (`$CLAUDE_CONFIG_DIR/settings.json`, the user scope, so nothing is written
 * into the workspace). Deny rules from every scope are merged and win over any allow, so a
 * project's own `.claude/settings.json` cannot lift them. `Bash(cmd:*)` is a word-prefix match.
 * Paths: `//abs` is absolute, `~/` the home directory.
 */
export function claudeSettings(workspace: string): string {
  const gitDir = `/${workspace.replace(/\/+$/, "")}/.git/**`;
  const deny = [
    ...deniedCommands().map(({ words }) => `Bash(${words.join(" ")}:*)`),
    `Edit(${gitDir})`,
    `Write(${gitDir})`,
    ...HOME_SECRETS.map((path) => `Read(${path})`),
  ];
  // No predicted follow-up prompt after each turn: nobody reads it, and it is a model call.
  const settings = { permissions: { defaultMode: "default", deny }, promptSuggestionEnabled: false };
  return `${JSON.stringify(settings, null, 2)}\n`;
}
