import { FORBIDDEN_CONFIG_KEYS, GIT_GLOBAL_OPTIONS, GIT_RULES, gitRule, type ArgTest } from "../rules.ts";
import { wordMatches } from "../../util/index.ts";

/** Why a git invocation is refused: the rule's name ("git push") and a reason for the agent. */
export interface GitVerdict {
  rule: string;
  reason: string;
}

const CONFIG_RULE = gitRule("config");

/**
 * Judges the words after `git` the way the wrapper script does: git's own options are skipped
 * (checking `-c` and `--config-env` overrides on the way), then the subcommand's rule is applied.
 * `runBranch` (without `refs/heads/`) is the one branch update-ref and symbolic-ref may touch.
 */
export function judgeGit(args: readonly string[], runBranch?: string): GitVerdict | undefined {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith("-")) {
    const option = args[i] as string;
    const command = (GIT_GLOBAL_OPTIONS.commands as Record<string, string>)[option];
    if (command !== undefined) return judgeSubcommand(command, args.slice(i + 1), runBranch);
    const parsed = optionValue(option, args[i + 1]);
    if (!parsed) return { rule: `git ${option}`, reason: "an option gaffer's guard does not know" };
    if (["-c", "--config-env"].includes(option.split("=")[0] as string) && forbiddenKey(parsed.value)) {
      return { rule: CONFIG_RULE.name, reason: CONFIG_RULE.reason };
    }
    i += parsed.consumed;
  }
  const sub = args[i];
  return sub === undefined ? undefined : judgeSubcommand(sub, args.slice(i + 1), runBranch);
}

/** A global option's value (for -c: `key=value`) and how many words it takes; undefined if unknown. */
function optionValue(
  option: string,
  next: string | undefined,
): { value: string; consumed: number } | undefined {
  const withValue: readonly string[] = GIT_GLOBAL_OPTIONS.withValue;
  const joined = [...withValue, ...GIT_GLOBAL_OPTIONS.joinedValue].filter((long) => long.startsWith("--"));
  if (withValue.includes(option)) return { value: next ?? "", consumed: 2 };
  const eq = option.indexOf("=");
  if (eq > 0 && joined.includes(option.slice(0, eq))) return { value: option.slice(eq + 1), consumed: 1 };
  if ((GIT_GLOBAL_OPTIONS.flags as readonly string[]).includes(option)) return { value: "", consumed: 1 };
  return undefined;
}

function judgeSubcommand(sub: string, rest: readonly string[], runBranch?: string): GitVerdict | undefined {
  const rule = GIT_RULES.find((candidate) => candidate.subcommand === sub);
  if (!rule) return undefined;
  const tests = rule.when ?? [];
  const denied = tests.length === 0 || tests.some((test) => holds(test, sub, rest, runBranch));
  return denied ? { rule: rule.name, reason: rule.reason } : undefined;
}

function holds(test: ArgTest, sub: string, args: readonly string[], runBranch?: string): boolean {
  switch (test.kind) {
    case "arg":
      return args.some((arg) => wordMatches(arg, test.globs));
    case "action": {
      const action = args.find((arg) => !arg.startsWith("-"));
      return action !== undefined && wordMatches(action, test.globs);
    }
    case "operand":
      return args.some((arg) => !arg.startsWith("-")) && !args.some((arg) => wordMatches(arg, test.unless));
    case "refs":
      return refsDenied(sub, args, runBranch);
    default:
      return test satisfies never;
  }
}

/**
 * update-ref and symbolic-ref: any deletion and `--stdin` are denied; otherwise every ref written
 * must be HEAD or the run branch (its full or short name). Reading a symbolic ref is allowed.
 */
function refsDenied(sub: string, args: readonly string[], runBranch?: string): boolean {
  const allowed = runBranch ? ["HEAD", `refs/heads/${runBranch}`, runBranch] : [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-m") i++;
    else if (["-d", "--delete", "--stdin"].includes(arg)) return true;
    else if (!arg.startsWith("-")) operands.push(arg);
  }
  if (sub === "symbolic-ref" && operands.length <= 1) return false;
  const written = sub === "update-ref" ? operands.slice(0, 1) : operands;
  return written.some((ref) => !allowed.includes(ref));
}

function forbiddenKey(setting: string): boolean {
  return wordMatches(setting.split("=")[0] as string, FORBIDDEN_CONFIG_KEYS);
}
