import type { Project } from "../engine/index.ts";
import {
  EVENTS,
  eventsOfKind,
  eventsOfRuns,
  findProposal,
  getItem,
  getRun,
  listAttempts,
  listGateResults,
  listReviews,
  type Run,
  totalUsage,
} from "../store/index.ts";
import { readAgentFile } from "../util/index.ts";
import { checked, hardenedGitResult, TREE_DIFF_SUBMODULES } from "../workspace/index.ts";

/** A failure report past this is cut: the page shows its head, the file keeps it whole. */
const REPORT_BYTES = 512 * 1024;
/** A diff past this many lines is cut; the page says so and `git diff` shows the rest. */
export const DIFF_LINES = 100_000;
/** Nor is a diff read past this many bytes (a few long lines can be as big as many short ones). */
const DIFF_BYTES = 32 * 1024 * 1024;

/** Everything the run page shows but its events: the run, its item, evidence, proposal, review, findings, report, cost. */
export async function runDetail(project: Project, runId: number, shown: (run: Run) => Run) {
  const db = project.store.db;
  const run = await getRun(db, runId);
  const findings = eventsOfKind(
    await eventsOfRuns(db, [run.id], [EVENTS.integrityFinding]),
    EVENTS.integrityFinding,
  ).map((event) => event.data);
  return {
    run: shown(run),
    item: await getItem(db, run.itemId),
    attempts: await listAttempts(db, run.id),
    gate: await listGateResults(db, run.id),
    proposal: (await findProposal(db, run.id)) ?? null,
    reviews: await listReviews(db, run.id),
    findings,
    report: run.reportPath ? failureReport(run.reportPath) : null,
    usage: await totalUsage(db, { runId: run.id }),
  };
}

/** The failure report gaffer wrote (redacted already), read as any file under .gaffer is: no-follow, capped. */
function failureReport(path: string): { text: string; truncated: boolean } | null {
  const read = readAgentFile(path, { maxBytes: REPORT_BYTES * 8 });
  if (!read.ok) return null;
  const truncated = read.data.length > REPORT_BYTES;
  return { text: read.data.subarray(0, REPORT_BYTES).toString("utf8"), truncated };
}

/**
 * The proposal's diff against its base, line by line, from the project's repository (where the
 * proposal branch was published from verified objects), with nothing the repository names run.
 */
export async function runDiff(
  project: Project,
  runId: number,
): Promise<{ lines: string[]; truncated: boolean } | null> {
  const proposal = await findProposal(project.store.db, runId);
  if (!proposal) return null;
  const args = [
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    TREE_DIFF_SUBMODULES,
    proposal.baseCommit,
    proposal.headCommit,
  ];
  const result = await hardenedGitResult(project.root, args, { maxStdoutBytes: DIFF_BYTES });
  if (!result.truncated) checked(result, args, project.root);
  const lines = result.stdout.toString("utf8").split("\n");
  // A cut diff's last line may be cut too; a whole one ends with a newline.
  lines.pop();
  return {
    lines: lines.slice(0, DIFF_LINES),
    truncated: result.truncated === true || lines.length > DIFF_LINES,
  };
}
