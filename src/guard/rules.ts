/**
 * gaffer's one git policy, as data. The command policy for ACP requests (policy.ts), the `git`
 * wrapper first on the agent's PATH and the guard hooks (git-guard/), and the permission files
 * written for each real agent (agent-rules/) are all derived from these tables.
 *
 * Globs are sh `case` patterns: `*`, `?`, `[abc]`, `[!abc]`, everything else literal. The wrapper
 * pastes them into `case` statements; the TypeScript side matches them as util/glob.ts's word globs.
 */

/** A test on the words after the subcommand. */
export type ArgTest =
  /** Some argument matches a glob. */
  | { kind: "arg"; globs: readonly string[] }
  /** The first non-option argument (the action: `git remote add`) matches a glob. */
  | { kind: "action"; globs: readonly string[] }
  /** There is a non-option argument and no argument matches `unless` (`git branch new` creates one). */
  | { kind: "operand"; unless: readonly string[] }
  /** A ref other than the run branch or HEAD is written, or any ref deleted (update-ref, symbolic-ref). */
  | { kind: "refs" };

export interface GitRule {
  /** What the agent is told and the log records: "git push". */
  name: string;
  subcommand: string;
  /** Denied when any test holds; without tests, always. */
  when?: readonly ArgTest[];
  reason: string;
  /**
   * Word prefixes after `git` for agents' own prefix-matching rules. Coarser than `when` where a
   * prefix cannot say it (all of `git clean`, all of `git config`); branch creation and `-c`
   * overrides have no prefix form and are left to the wrapper and the hooks.
   */
  prefixes: readonly (readonly string[])[];
}

/** "alias.*" → "[aA][lL][iI][aA][sS].*": git config keys are case-insensitive. */
function caseless(glob: string): string {
  return glob.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/**
 * Config keys an agent may not set, in a file or as `-c key=value`: each runs a command or
 * reroutes git (hooks, fsmonitor, ssh, credential helpers, clean/smudge filters, includes that
 * pull in any of these, aliases, remotes and URL rewrites).
 */
export const FORBIDDEN_CONFIG_KEYS: readonly string[] = [
  "core.hookspath",
  "core.fsmonitor",
  "core.sshcommand",
  "alias.*",
  "filter.*",
  "include.*",
  "includeif.*",
  "credential.*",
  "remote.*",
  "url.*",
].map(caseless);

const always = (subcommand: string, reason: string): GitRule => ({
  name: `git ${subcommand}`,
  subcommand,
  reason,
  prefixes: [[subcommand]],
});

const actions = (subcommand: string, names: readonly string[], reason: string): GitRule => ({
  name: `git ${subcommand}`,
  subcommand,
  when: [{ kind: "action", globs: names }],
  reason,
  prefixes: names.map((name) => [subcommand, name]),
});

const BRANCH_MOVES = ["-d", "-D", "--delete", "-m", "-M", "--move", "-c", "-C", "--copy", "-f", "--force"];
/** Options that put `git branch` in list mode, where its operands are patterns, not new branches. */
const BRANCH_LISTING = ["-[alrv]*", "-[!-]*[alrv]*", "--list", "--all", "--remotes", "--verbose"]
  .concat(["--contains*", "--no-contains*", "--merged*", "--no-merged*", "--points-at*"])
  .concat(["--show-current", "--format*", "--sort*", "--column*", "--no-column", "--ignore-case"]);

export const GIT_RULES: readonly GitRule[] = [
  always("push", "an agent never pushes: gaffer turns the run branch into a proposal"),
  always("send-pack", "sends refs like git push"),
  always("reset", "moves the branch and discards work; make a new commit instead"),
  always("checkout", "switches branches or discards changes; the run stays on its branch"),
  always("switch", "the run stays on its branch and creates no other"),
  always("restore", "discards changes; edit the files instead"),
  {
    name: "git clean",
    subcommand: "clean",
    when: [{ kind: "arg", globs: ["-f*", "-[!-]*f*", "--force"] }],
    reason: "deletes untracked files",
    prefixes: [["clean"]],
  },
  {
    name: "git branch",
    subcommand: "branch",
    when: [
      { kind: "arg", globs: ["-[dDmMcCf]*", "-[!-]*[dDmMcCf]*", "--delete", "--move", "--copy", "--force"] },
      { kind: "operand", unless: BRANCH_LISTING },
    ],
    reason: "creates, moves or deletes branches; the run works on its own branch only",
    prefixes: BRANCH_MOVES.map((flag) => ["branch", flag]),
  },
  {
    name: "git update-ref",
    subcommand: "update-ref",
    when: [{ kind: "refs" }],
    reason: "only the run branch may change",
    prefixes: [["update-ref"]],
  },
  {
    name: "git symbolic-ref",
    subcommand: "symbolic-ref",
    when: [{ kind: "refs" }],
    reason: "HEAD stays on the run branch",
    prefixes: [["symbolic-ref"]],
  },
  always("filter-branch", "rewrites history"),
  always("filter-repo", "rewrites history"),
  always("rebase", "rewrites history"),
  actions(
    "worktree",
    ["add", "remove", "prune", "move", "lock", "unlock", "repair"],
    "the run has exactly one worktree",
  ),
  actions(
    "remote",
    ["add", "set-url", "rename", "remove", "rm", "set-head", "set-branches", "prune", "update"],
    "the workspace has no remote, on purpose",
  ),
  {
    name: "git config",
    subcommand: "config",
    when: [
      { kind: "arg", globs: ["-e", "--edit", "--rename-section", ...FORBIDDEN_CONFIG_KEYS] },
      { kind: "action", globs: ["edit", "rename-section"] },
    ],
    reason: "hook, alias, filter, include, credential and remote settings can run commands or reroute git",
    prefixes: [["config"]],
  },
];

/** The rule for a subcommand that GIT_RULES names. */
export function gitRule(subcommand: string): GitRule {
  const rule = GIT_RULES.find((candidate) => candidate.subcommand === subcommand);
  if (!rule) throw new Error(`no git rule for ${subcommand}`);
  return rule;
}

/**
 * Refs the agent's own git may write besides its run branch: HEAD, and what commit, merge,
 * cherry-pick, revert and am write along the way. `refs/stash` is allowed too: a stash is local
 * state the agent uses to compare before and after, and never part of a proposal.
 */
export const AGENT_WRITABLE_REFS: readonly string[] = [
  "HEAD",
  "ORIG_HEAD",
  "MERGE_HEAD",
  "CHERRY_PICK_HEAD",
  "REVERT_HEAD",
  "AUTO_MERGE",
  "refs/stash",
];

/** git's own options before the subcommand, as git.c's handle_options reads them. */
export const GIT_GLOBAL_OPTIONS = {
  /** Take the next word as their value; the long ones also take `--opt=value`. */
  withValue: [
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--super-prefix",
    "--config-env",
    "--shallow-file",
    "--attr-source",
  ],
  /** Take a value only as `--opt=value` (`--exec-path` alone prints the path). */
  joinedValue: ["--exec-path", "--list-cmds"],
  flags: [
    "-p",
    "--paginate",
    "-P",
    "--no-pager",
    "--no-replace-objects",
    "--no-lazy-fetch",
    "--no-optional-locks",
    "--no-advice",
    "--bare",
    "--literal-pathspecs",
    "--glob-pathspecs",
    "--noglob-pathspecs",
    "--icase-pathspecs",
    "--exec-path",
    "--html-path",
    "--man-path",
    "--info-path",
  ],
  /** End the options and name the command: `git --help push` is `git help push`. */
  commands: { "--help": "help", "-h": "help", "--version": "version", "-v": "version" },
} as const;

/**
 * How much a refusal matters to the person watching a run: an `escape` tried to leave the run's
 * branch (push, ref and history rewrites, remotes); a `probe` is what agents do as a matter of
 * course (their own `git -c core.hooksPath=…` settings); anything else is `other`.
 */
export type DenialWeight = "escape" | "probe" | "other";

const ESCAPES = new Set([
  "git push",
  "git send-pack",
  "git update-ref",
  "git symbolic-ref",
  "git reset",
  "git rebase",
  "git filter-branch",
  "git filter-repo",
  "git remote",
  "ref update",
]);

/** The weight of a denial, from the rule that refused it (a rule name, or a reason naming one). */
export function denialWeight(rule: string): DenialWeight {
  const text = rule.toLowerCase();
  if ([...ESCAPES].some((name) => text.includes(name))) return "escape";
  return text.includes("git config") ? "probe" : "other";
}
