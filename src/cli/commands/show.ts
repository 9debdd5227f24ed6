import { formatDuration } from "../../config/index.ts";
import { openProjectReadOnly } from "../../engine/index.ts";
import {
  type Attempt,
  findProposal,
  type GateResult,
  getItem,
  getRun,
  listAttempts,
  listGateResults,
  listReviews,
  type GateEnvironment,
  type Proposal,
  type Review,
  type Run,
} from "../../store/index.ts";
import { requireStore } from "./read-store.ts";
import { color, formatTable, parseId, print, printJson } from "../output.ts";
import { stateColor } from "./runs.ts";

export async function show(cwd: string, runText: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const db = requireStore(project, "run", runText);
    const run = await getRun(db, parseId(runText, "run"));
    const item = await getItem(db, run.item_id);
    const attempts = await listAttempts(db, run.id);
    const gate = await listGateResults(db, run.id);
    const proposal = await findProposal(db, run.id);
    const reviews = await listReviews(db, run.id);
    if (options.json) {
      printJson({
        run,
        item,
        attempts,
        gate,
        proposal,
        reviews,
        commands: proposal ? reviewCommands(run) : undefined,
      });
      return 0;
    }
    print(color.bold(`run ${run.id} · item #${item.id} ${item.title} · ${stateColor(run.state)}`));
    print(
      `agent: ${run.agent}   branch: ${run.branch}   base: ${run.base_branch} (${run.base_commit.slice(0, 12)})`,
    );
    print(
      `started: ${new Date(run.created_at).toISOString()}   took: ${formatDuration((run.ended_at ?? Date.now()) - run.created_at)}`,
    );
    if (run.workspace) print(`workspace: ${run.workspace}`);
    print(`sandbox: ${run.sandbox.startsWith("none") ? color.yellow(run.sandbox) : run.sandbox}`);
    if (run.reason) print(`reason: ${run.reason}`);
    if (run.report_path) print(`failure report: ${run.report_path}`);
    print();
    printAttempts(attempts, gate);
    printReviews(reviews);
    if (proposal) printProposal(run, proposal);
    return 0;
  } finally {
    await project.close();
  }
}

function printAttempts(attempts: Attempt[], gate: GateResult[]): void {
  if (attempts.length === 0) {
    print("no attempt yet");
    return;
  }
  print(color.bold("attempts"));
  for (const attempt of attempts) {
    const steps = gate.filter((g) => g.attempt === attempt.number);
    const changed = attempt.changed === null ? "" : attempt.changed ? "changed files" : "no change";
    print(
      `  ${attempt.number}  ${attempt.state.padEnd(6)} ${attempt.stop_reason ?? ""} ${changed}`.trimEnd(),
    );
    for (const step of steps) {
      const result = step.timed_out ? "timed out" : `exit ${step.exit_code ?? step.signal}`;
      print(
        color.dim(
          `       ${step.name}: ${step.command} → ${result} in ${formatDuration(step.duration_ms)} · sha256 ${step.output_sha256.slice(0, 16)}`,
        ),
      );
    }
  }
  print();
}

/** The factory reviewer's verdicts, round by round, with their findings. */
function printReviews(reviews: Review[]): void {
  if (reviews.length === 0) return;
  print(color.bold("reviews"));
  for (const review of reviews) {
    const verdict =
      review.verdict === "approve" ? color.green("approved") : color.yellow("changes requested");
    print(
      `  round ${review.round} by ${review.role}: ${verdict}${review.summary ? ` — ${review.summary}` : ""}`,
    );
    for (const f of review.findings)
      print(`    [${f.severity}] ${f.file}${f.line !== undefined ? `:${f.line}` : ""}: ${f.text}`);
  }
  print();
}

function printProposal(run: Run, proposal: Proposal): void {
  print(color.bold(`proposal: ${proposal.branch}`));
  print(
    formatTable(
      ["COMMIT", "AUTHOR", "SUBJECT"],
      proposal.commits.map((c) => [c.sha.slice(0, 10), c.author, c.subject]),
    ),
  );
  print(proposal.diffStat.trimEnd());
  print();
  if (proposal.sandbox.startsWith("none"))
    print(color.yellow(`this proposal was made without a sandbox (${proposal.sandbox})`));
  for (const finding of proposal.findings) print(color.yellow(`flagged: ${finding.message}`));
  print(color.bold("evidence") + color.dim(" (gate run by gaffer on the final attempt)"));
  for (const e of proposal.evidence)
    print(`  ${e.name}: ${e.command} → exit ${e.exitCode} in ${formatDuration(e.durationMs)}`);
  if (proposal.environment) printGateEnvironment(proposal.environment);
  else if (proposal.tree) print(`  tree ${proposal.tree}`);
  print();
  const commands = reviewCommands(run);
  print(color.bold("review"));
  for (const line of commands.review) print(`  ${line}`);
  print(
    color.bold("merge") + color.dim(" (through the vault: by its policy's tier, at once or once approved)"),
  );
  for (const line of commands.merge) print(`  ${line}`);
}

/** Where the gate ran and what it saw, so a reviewer can run it the same way. */
function printGateEnvironment(environment: GateEnvironment): void {
  const list = (values: readonly string[]) => (values.length > 0 ? values.join(", ") : "none");
  print(color.dim("  ran on a fresh checkout of the proposed tree, with an empty HOME and /tmp:"));
  print(`  tree      ${environment.tree}`);
  print(`  sandbox   ${environment.sandbox}`);
  print(`  passed    ${list(environment.passed)}`);
  print(`  set       ${list(Object.entries(environment.set).map(([name, value]) => `${name}=${value}`))}`);
  print(`  setup     ${list(environment.setup)}`);
  print(`  caches    ${list(environment.caches)}`);
}

function reviewCommands(run: Run): { review: string[]; merge: string[] } {
  return {
    review: [
      `git log --stat ${run.base_branch}..${run.branch}`,
      `git diff ${run.base_branch}...${run.branch}`,
    ],
    merge: [`gaffer merge ${run.id}`],
  };
}
