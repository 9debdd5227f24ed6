import { GIT_RULES, type GitRule } from "../rules.ts";
import { justification } from "./commands.ts";

type Pattern = (string | string[])[];

/**
 * Codex execpolicy rules (`$CODEX_HOME/rules/gaffer.rules`): one `prefix_rule` per rule, its
 * prefixes folded into alternatives where they share the subcommand (`["git", "remote", ["add",
 * "rm"]]`). `decision="forbidden"` rejects without asking, even in workspace-write mode.
 */
export function codexRules(): string {
  const lines = GIT_RULES.flatMap((rule) =>
    patterns(rule).map(
      (pattern) =>
        `prefix_rule(pattern=${starlark(pattern)}, decision="forbidden", justification=${JSON.stringify(justification(rule))})`,
    ),
  );
  return `# gaffer's git policy (generated; do not edit)\n${lines.join("\n")}\n`;
}

function patterns(rule: GitRule): Pattern[] {
  const pairs = rule.prefixes.every((prefix) => prefix.length === 2 && prefix[0] === rule.subcommand);
  if (pairs && rule.prefixes.length > 1) {
    return [["git", rule.subcommand, rule.prefixes.map((prefix) => prefix[1] as string)]];
  }
  return rule.prefixes.map((prefix) => ["git", ...prefix]);
}

function starlark(pattern: Pattern): string {
  const item = (part: string | string[]) =>
    typeof part === "string" ? JSON.stringify(part) : starlark(part);
  return `[${pattern.map(item).join(", ")}]`;
}
