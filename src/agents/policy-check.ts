import { basename } from "node:path";
import type { CommandPolicy } from "./types.ts";
import { splitSimpleCommands } from "../util/index.ts";

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh"]);

/**
 * The rule that denies running `command args`, if any. For `sh -c SCRIPT` the policy also sees
 * each simple command of the script, so `sh -c "git push"` is judged like `git push`.
 */
export function deniedCommand(
  policy: CommandPolicy,
  command: string,
  args: readonly string[],
): string | undefined {
  const direct = policy.deniedBy(command, args);
  if (direct !== undefined) return direct;
  const script = shellScript(command, args);
  return script === undefined ? undefined : deniedCommandLine(policy, script);
}

/** The rule that denies a command line (a permission request's command, a shell script), if any. */
export function deniedCommandLine(policy: CommandPolicy, line: string): string | undefined {
  let commands: string[][];
  try {
    commands = splitSimpleCommands(line);
  } catch {
    // Unbalanced quotes: let the policy judge the raw text.
    return policy.deniedBy(line, []);
  }
  for (const [command, ...args] of commands) {
    const rule = command === undefined ? undefined : deniedCommand(policy, command, args);
    if (rule !== undefined) return rule;
  }
  return undefined;
}

function shellScript(command: string, args: readonly string[]): string | undefined {
  if (!SHELLS.has(basename(command))) return undefined;
  const flag = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
  return flag < 0 ? undefined : args[flag + 1];
}
