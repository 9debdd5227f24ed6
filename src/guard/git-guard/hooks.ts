import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { AGENT_WRITABLE_REFS, gitRule } from "../rules.ts";
import { casePatterns, SH_PRELUDE, shLogFunctions, shQuote } from "./sh.ts";
import { writeFreshFile } from "../../util/index.ts";

export interface GuardHooksOptions {
  /** The workspace's `.git` directory. */
  gitDir: string;
  /** The run branch, without `refs/heads/`. */
  runBranch: string;
  logFile: string;
}

/**
 * Writes the guard hooks into `<gitDir>/hooks`: `pre-push` refuses every push,
 * `reference-transaction` refuses (in the `prepared` state) any ref update but the run branch
 * and the refs in AGENT_WRITABLE_REFS, and `post-checkout` records checkouts, which it cannot
 * refuse. All of them log to `logFile` like the wrapper.
 *
 * They constrain only the agent's git, and only while hooks run: gaffer's own git disables hooks
 * (`core.hooksPath=/dev/null`), and so can an agent calling the real git with `-c` — the
 * integrity check after the run is what catches that. Two gaps in git itself: older git (2.39
 * here) never shows a symbolic-ref write (`git checkout main` moving HEAD) to
 * reference-transaction, and `git pack-refs`/`gc` rewrite every ref, so the hook refuses them.
 */
export function installGuardHooks(opts: GuardHooksOptions): void {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const preamble = hookPreamble(opts);
  for (const [name, body] of Object.entries(HOOK_BODIES)) {
    // Each hook is a new file: one an agent replaced with a symlink is not written through.
    writeFreshFile(join(opts.gitDir, "hooks", name), preamble + body, {
      within: dirname(opts.gitDir),
      mode: 0o755,
    });
  }
}

function hookPreamble(opts: GuardHooksOptions): string {
  return [
    "#!/bin/sh",
    "# gaffer's guard hook for one run (generated; do not edit).",
    SH_PRELUDE + `run_branch=${shQuote(opts.runBranch)}`,
    shLogFunctions(opts.logFile),
  ].join("\n");
}

const push = gitRule("push");

const PRE_PUSH = `printf 'denied by gaffer policy: %s (%s)\\n' ${shQuote(push.name)} ${shQuote(push.reason)} >&2
log_entry ${shQuote(push.name)} pre-push true "$@"
exit 1
`;

const POST_CHECKOUT = `log_entry 'git checkout' post-checkout false "$@"
printf 'gaffer: checkout recorded; the run works on %s only\\n' "$run_branch" >&2
exit 0
`;

// Old and new values are no help: a deletion without an expected value reads "0… 0… ref".
const REFERENCE_TRANSACTION = `if [ "$1" != prepared ]; then
  while read -r _line; do :; done
  exit 0
fi
refused=
while read -r _old new ref; do
  case $ref in
    ${casePatterns(AGENT_WRITABLE_REFS)}) continue ;;
    "refs/heads/$run_branch") case $new in *[!0]*) continue ;; esac ;;
  esac
  refused="$refused $ref"
done
[ -n "$refused" ] || exit 0
set -- $refused
printf 'denied by gaffer policy: ref update %s (only the run branch %s may change)\\n' "$*" "$run_branch" >&2
log_entry 'ref update' reference-transaction true "$@"
exit 1
`;

const HOOK_BODIES: Record<string, string> = {
  "pre-push": PRE_PUSH,
  "post-checkout": POST_CHECKOUT,
  "reference-transaction": REFERENCE_TRANSACTION,
};
