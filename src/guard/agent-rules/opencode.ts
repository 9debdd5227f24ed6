import { deniedCommands } from "./commands.ts";

type Action = "allow" | "ask" | "deny";

/**
 * An opencode config with a `permission` block. opencode applies the LAST matching pattern, so
 * the catch-all `"*": "allow"` comes first and every deny after it (JSON keeps insertion order).
 * `*` matches any characters, `/` included. `external_directory: "deny"` keeps every tool (read,
 * edit, glob, grep, many bash commands) inside the directory opencode started in: the workspace.
 */
export function opencodeConfig(workspace: string): string {
  const bash: Record<string, Action> = { "*": "allow" };
  for (const { words } of deniedCommands()) bash[`${words.join(" ")}*`] = "deny";
  const edit: Record<string, Action> = { "*": "allow", ".git/*": "deny" };
  edit[`${workspace.replace(/\/+$/, "")}/.git/*`] = "deny";
  const permission = { bash, edit, read: "allow", external_directory: "deny" };
  return `${JSON.stringify({ $schema: "https://opencode.ai/config.json", permission }, null, 2)}\n`;
}
