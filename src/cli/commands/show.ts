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
  listEvents,
  listReviews,
  totalUsage,
  type UsageTotal,
  type GateEnvironment,
  type Proposal,
  type Review,
  type Run,
} from "../../store/index.ts";
import { type Refusal, refusalCounts, refusalOf } from "../refusals.ts";
import { requireStore } from "./read-store.ts";
import { color, formatTable, parseId, print, printJson } from "../output.ts";
import { stateColor } from "./runs.ts";
import { printable } from "../../util/index.ts";

export async function show(cwd: string, runText: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const db = requireStore(project, "run", runText);
    const run = await getRun(db, parseId(runText, "run"));
    const item = await getItem(db, run.itemId);
    const attempts = await listAttempts(db, run.id);
    const gate = await listGateResults(db, run.id);
    const proposal = await findProposal(db, run.id);
    const reviews = await listReviews(db, run.id);
    const usage = await totalUsage(db, { runId: run.id });
    const refusals = (await listEvents(db, { runId: run.id })).flatMap((e) => refusalOf(e) ?? []);
    if (options.json) {
      printJson({
        run,
        item,
        attempts,
        gate,
        proposal,
        usage,
        refusals: refusalCounts(refusals),
        reviews,
        commands: proposal ? reviewCommands(run) : undefined,
      });
      return 0;
    }
    print(color.bold(`run ${run.id} · item #${item.id} ${printable(item.title)} · ${stateColor(run.state)}`));
    print(
      `agent: ${printable(run.agent)}   branch: ${printable(run.branch)}   base: ${printable(run.baseBranch)} (${run.baseCommit.slice(0, 12)})`,
    );
    print(
      `started: ${new Date(run.createdAt).toISOString()}   took: ${formatDuration((run.endedAt ?? Date.now()) - run.createdAt)}`,
    );
    if (run.workspace) print(`workspace: ${printable(run.workspace)}`);
    const sandbox = printable(run.sandbox);
    print(`sandbox: ${run.sandbox.startsWith("none") ? color.yellow(sandbox) : sandbox}`);
    // A crash reason carries the agent's last stderr lines: shown whole, each on its own line.
    if (run.reason) print(`reason: ${printable(run.reason, "text").replaceAll("\n", "\n  ")}`);
    if (run.reportPath) print(`failure report: ${printable(run.reportPath)}`);
    printUsage(usage);
    printRefusals(refusals);
    print();
    printAttempts(attempts, gate);
    printReviews(reviews);
    if (proposal) printProposal(run, proposal);
    return 0;
  } finally {
    await project.close();
  }
}

function printUsage(usage: UsageTotal): void {
  if (usage.attempts === 0) return;
  const cost = usage.costUsd > 0 || usage.unpriced === 0 ? `$${usage.costUsd.toFixed(4)}` : "unpriced";
  const unpriced = usage.unpriced > 0 && usage.costUsd > 0 ? ` (${usage.unpriced} turn(s) unpriced)` : "";
  print(
    `cost: ${cost}${unpriced} · ${usage.inputTokens} tokens in, ${usage.outputTokens} out, ${usage.cachedTokens} cached`,
  );
}

/** What was refused, by rule: attempts to leave the run's branch first and loudly. */
function printRefusals(refusals: readonly Refusal[]): void {
  if (refusals.length === 0) return;
  const parts = refusalCounts(refusals).map(({ rule, weight, count }) => {
    const text = `${printable(rule || "refused")} ×${count}`;
    return weight === "escape"
      ? color.red(text)
      : weight === "probe"
        ? color.dim(`${text} (agent's own settings)`)
        : text;
  });
  print(`refused: ${parts.join(", ")}`);
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
      `  ${attempt.number}  ${attempt.state.padEnd(6)} ${printable(attempt.stopReason ?? "")} ${changed}`.trimEnd(),
    );
    for (const step of steps) {
      const result = step.timedOut ? "timed out" : `exit ${step.exitCode ?? printable(step.signal ?? "")}`;
      print(
        color.dim(
          `       ${printable(step.name)}: ${printable(step.command)} → ${result} in ${formatDuration(step.durationMs)} · sha256 ${step.outputSha256.slice(0, 16)}`,
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
      `  round ${review.round} by ${printable(review.role)}: ${verdict}${review.summary ? ` — ${printable(review.summary)}` : ""}`,
    );
    for (const f of review.findings)
      print(
        `    [${printable(f.severity)}] ${printable(f.file)}${f.line !== undefined ? `:${f.line}` : ""}: ${printable(f.text)}`,
      );
  }
  print();
}

function printProposal(run: Run, proposal: Proposal): void {
  print(color.bold(`proposal: ${printable(proposal.branch)}`));
  print(
    formatTable(
      ["COMMIT", "AUTHOR", "SUBJECT"],
      proposal.commits.map((c) => [c.sha.slice(0, 10), printable(c.author), printable(c.subject)]),
    ),
  );
  print(printable(proposal.diffStat.trimEnd(), "text"));
  print();
  if (proposal.sandbox.startsWith("none"))
    print(color.yellow(`this proposal was made without a sandbox (${printable(proposal.sandbox)})`));
  for (const finding of proposal.findings) print(color.yellow(`flagged: ${printable(finding.message)}`));
  print(color.bold("evidence") + color.dim(" (gate run by gaffer on the final attempt)"));
  for (const e of proposal.evidence)
    print(
      `  ${printable(e.name)}: ${printable(e.command)} → exit ${e.exitCode} in ${formatDuration(e.durationMs)}`,
    );
  if (proposal.environment) printGateEnvironment(proposal.environment);
  else if (proposal.tree) print(`  tree ${proposal.tree}`);
  print();
  const commands = reviewCommands(run);
  print(color.bold("review"));
  for (const line of commands.review) print(`  ${printable(line)}`);
  print(
    color.bold("merge") + color.dim(" (through the vault: by its policy's tier, at once or once approved)"),
  );
  for (const line of commands.merge) print(`  ${line}`);
}

/** Where the gate ran and what it saw, so a reviewer can run it the same way. */
function printGateEnvironment(environment: GateEnvironment): void {
  const list = (values: readonly string[]) => (values.length > 0 ? printable(values.join(", ")) : "none");
  print(color.dim("  ran on a fresh checkout of the proposed tree, with an empty HOME and /tmp:"));
  print(`  tree      ${environment.tree}`);
  print(`  sandbox   ${printable(environment.sandbox)}`);
  print(`  passed    ${list(environment.passed)}`);
  print(`  set       ${list(Object.entries(environment.set).map(([name, value]) => `${name}=${value}`))}`);
  print(`  setup     ${list(environment.setup)}`);
  print(`  caches    ${list(environment.caches)}`);
}

function reviewCommands(run: Run): { review: string[]; merge: string[] } {
  return {
    review: [`git log --stat ${run.baseBranch}..${run.branch}`, `git diff ${run.baseBranch}...${run.branch}`],
    merge: [`gaffer merge ${run.id}`],
  };
}
