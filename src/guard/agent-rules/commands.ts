import { GIT_RULES, type GitRule } from "../rules.ts";

/** One command an agent's own rules deny: its words ("git", "branch", "-D") and the rule behind it. */
export interface DeniedCommand {
  rule: GitRule;
  words: readonly string[];
}

/** Every prefix of every rule in GIT_RULES, as the words an agent's prefix matcher compares. */
export function deniedCommands(): DeniedCommand[] {
  return GIT_RULES.flatMap((rule) => rule.prefixes.map((prefix) => ({ rule, words: ["git", ...prefix] })));
}

/** The text an agent shows when it refuses: the rule and why. */
export function justification(rule: GitRule): string {
  return `denied by gaffer policy: ${rule.name} (${rule.reason})`;
}
