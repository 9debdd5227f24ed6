import { join } from "node:path";
import type { Workspace } from "../../workspace/index.ts";
import { inHistory } from "./git-output.ts";
import type { Finding, Subject } from "./types.ts";
import { readAgentFile } from "../../util/index.ts";

export interface HistoryCheckOptions {
  /** The run branch, without `refs/heads/`. */
  branch: string;
  baseCommit: string;
  /** Tips of the run branch gaffer itself saw between turns; each must still be in its history. */
  observedTips?: readonly string[];
}

interface ReflogEntry {
  old: string;
  new: string;
  message: string;
}

/** The all-zero id of "no commit" — or an empty field of an unparsable line. */
const NO_COMMIT = /^0*$/;
const ENTRY = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) [^\t]*\t?(.*)$/;

/**
 * No commit the run branch ever pointed at may have been dropped from its history (amend, reset,
 * rebase). The reflog is read from disk; the agent can edit it too, so it must also still chain
 * from the base to the tip, and the tips gaffer observed are checked as well.
 */
export async function checkHistory(
  ws: Workspace,
  subject: Subject,
  opts: HistoryCheckOptions,
): Promise<Finding[]> {
  const tip = subject.tip;
  if (!tip) return []; // checkRefs reports a missing run branch
  const entries = await readReflog(ws, opts.branch);
  const findings = entries ? reflogProblems(entries, opts.baseCommit, tip) : [missingReflog(opts.branch)];
  const recorded = (entries ?? []).flatMap((entry) => [entry.old, entry.new]);
  const commits = new Set([...recorded, ...(opts.observedTips ?? [])].filter((sha) => !NO_COMMIT.test(sha)));
  for (const commit of commits) {
    if (await inHistory(subject.objects, commit, tip)) continue;
    const how = entries?.find((entry) => entry.old === commit)?.message ?? null;
    findings.push(
      historyFinding("history-rewritten", `${commit} was on the run branch but is no longer in its history`, {
        commit,
        tip,
        how,
      }),
    );
  }
  return findings;
}

/** Far more than any run's reflog; a bigger one was flooded and counts as missing. */
const REFLOG_MAX_BYTES = 16 * 1024 * 1024;

/** The run branch's reflog entries, oldest first; null when there is no regular reflog file. */
async function readReflog(ws: Workspace, branch: string): Promise<ReflogEntry[] | null> {
  const path = join(ws.dir, ".git", "logs", "refs", "heads", ...branch.split("/"));
  // A FIFO or a link planted there must not make gaffer block or read elsewhere.
  const read = readAgentFile(path, { maxBytes: REFLOG_MAX_BYTES, within: ws.dir });
  if (!read.ok) return null;
  const lines = read.data
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "");
  return lines.map((line) => {
    const match = ENTRY.exec(line);
    return match
      ? { old: match[1] ?? "", new: match[2] ?? "", message: match[3] ?? "" }
      : { old: "", new: "", message: line };
  });
}

function reflogProblems(entries: ReflogEntry[], baseCommit: string, tip: string): Finding[] {
  const reason = inconsistency(entries, baseCommit, tip);
  if (!reason) return [];
  return [
    historyFinding("reflog-inconsistent", `the run branch's reflog ${reason}`, { reason, baseCommit, tip }),
  ];
}

function inconsistency(entries: ReflogEntry[], baseCommit: string, tip: string): string | null {
  const first = entries[0];
  if (!first || !NO_COMMIT.test(first.old) || first.new !== baseCommit)
    return "does not start at the base commit";
  const broken = entries.findIndex((entry, i) => i > 0 && entry.old !== entries[i - 1]?.new);
  if (broken !== -1) return `does not chain at entry ${broken + 1}`;
  return entries.at(-1)?.new === tip ? null : "does not end at the branch tip";
}

function missingReflog(branch: string): Finding {
  return historyFinding("reflog-inconsistent", `the run branch ${branch} has no reflog`, {
    reason: "missing",
  });
}

function historyFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "history", rule, severity: "block", message, evidence };
}
