import { join } from "node:path";
import { type AgentUpdate, createAgentDriver } from "../../agents/index.ts";
import { agentPreset } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import { commandPolicy } from "../../guard/index.ts";
import {
  EVENTS,
  findProposal,
  getItem,
  getRun,
  type Item,
  listReviews,
  type Proposal,
  recordReview,
  REVIEWER_UPDATE_EVENTS,
  type Run,
  type Verdict,
} from "../../store/index.ts";
import { createWorkspace, discardWorkspace, projectGit } from "../../workspace/index.ts";
import { confineRun } from "../confinement.ts";
import type { Project } from "../project.ts";
import { type RunObserver, RunRecorder } from "../recorder.ts";
import { AgentUpdateSink } from "../agent-updates.ts";
import { outputReason, RunProcesses, watchLimits } from "../limits.ts";
import { OutputMeter } from "../output-meter.ts";
import { removeSandboxState, sandboxDirs } from "../sandbox-state.ts";
import { AttemptUsage } from "../usage.ts";
import { ModelMeter } from "../model-meter.ts";
import { writeFailureReport } from "../report.ts";
import type { RunRole, StepContext } from "../step-context.ts";
import { recordTamper } from "../workspace-handle.ts";
import { renderReviewBrief } from "./brief.ts";
import { findingsText, parseVerdict } from "./verdict.ts";
import type { CommandWrapper } from "../../util/index.ts";

export interface ReviewOptions {
  role: RunRole;
  /** The reviewer's agent preset. */
  agent: string;
  /** Rounds of findings that go back to the builder; a request for changes after them gives up. */
  maxRounds: number;
  scriptedAgentCommand: string[];
  signal?: AbortSignal;
  observer?: RunObserver;
}

export type ReviewOutcome = "approved" | "revising" | "gave-up";

export interface ReviewResult {
  round: number;
  verdict: Verdict;
  outcome: ReviewOutcome;
}

const DIFF_BYTES = 64 * 1024;

/**
 * Reviews a proposed run: a fresh clone at the proposal's head, confined like a run, where the
 * reviewer's agent reads the item, the diff and the gate evidence and answers with a verdict.
 * The verdict is recorded; its workspace is snapshotted and removed.
 */
export async function reviewProposal(
  project: Project,
  runId: number,
  options: ReviewOptions,
): Promise<ReviewResult> {
  const db = project.store.db;
  const run = await getRun(db, runId);
  const proposal = await findProposal(db, runId);
  if (run.state !== "proposed" || !proposal) {
    throw new GafferError("run-state", `run ${runId} is ${run.state}, not a proposal awaiting review`);
  }
  if (proposal.review !== null) {
    throw new GafferError("run-state", `run ${runId}'s proposal is already reviewed: ${proposal.review}`);
  }
  const item = await getItem(db, run.itemId);
  const round = (await listReviews(db, runId)).length + 1;
  const recorder = new RunRecorder(db, { id: run.id, itemId: item.id }, options.observer, (lost) =>
    context.stop(lost.message),
  );
  const context = reviewContext(project, item, recorder, options);
  const usage = await AttemptUsage.open(context, { ...run, agent: options.agent }, run.attempt);
  if (!usage) {
    const reason = context.limitReason ?? "budget spent";
    throw new GafferError(
      "limit-exceeded",
      `run ${runId}, review round ${round}: ${reason}`,
      "raise it under [budget] in gaffer.toml",
    );
  }
  const stateDir = join(project.paths.runDir(run.id), `review-${round}`);
  const dir = join(project.paths.stateDir, "reviews", `run-${run.id}-${round}`);
  const branch = `gaffer/review-${run.id}-${round}`;
  const { workspace } = await createWorkspace({
    project: project.root,
    dir,
    branch,
    baseBranch: run.baseBranch,
    baseCommit: proposal.headCommit,
    identity: project.config.workspace.identity,
    onTamper: recordTamper(recorder),
  });
  await recorder.event(EVENTS.reviewStarted, {
    round,
    role: options.role.name,
    agent: options.agent,
    head: proposal.headCommit,
  });
  const reviewing: Run = { ...run, agent: options.agent, workspace: dir, branch };
  const meter = new ModelMeter(context, reviewing);
  const confinement = await confineRun(project, reviewing, workspace, recorder, {
    stateDir,
    onModelExchange: (exchange) => meter.observe(exchange),
    processes: context.processes,
  });
  if (confinement.metered) meter.startAttempt(run.attempt, usage);
  // The reviewer's clone and sandbox are under the same limits as a builder's.
  const watcher = watchLimits({
    limits: project.config.limits,
    places: () => [dir, sandboxDirs(stateDir, false).root],
    outputBytes: () => context.output.used,
    processes: context.processes,
    onExceeded: (reason, used) => {
      if (!context.limitReason) recorder.enqueue(EVENTS.limitExceeded, { reason, ...used });
      context.stop(reason);
    },
  });
  try {
    const brief = renderReviewBrief({
      item,
      round,
      ...(await proposalDiff(project, proposal)),
      evidence: proposal.evidence,
      role: { name: options.role.name, instructions: options.role.instructions },
    });
    const answer = await converse(context, reviewing, round, brief, usage, confinement.wrap);
    await usage.record();
    await recorder.flush();
    // Not the reviewer's failure: the proposal waits, unreviewed, for the plan's reset.
    if (context.planLimit)
      throw new GafferError(
        "plan-limit",
        `run ${runId}, review round ${round}: ${context.planLimit.reason}`,
        "the factory reviews it once the limit resets",
      );
    if (context.limitReason) {
      const section = context.limitReason.startsWith("budget:") ? "[budget]" : "[limits]";
      throw new GafferError(
        "limit-exceeded",
        `run ${runId}, review round ${round}: ${context.limitReason}`,
        `raise it under ${section} in gaffer.toml`,
      );
    }
    // A review cut short has no verdict, whatever its partial answer says.
    if (context.signal.aborted) {
      throw new GafferError("cancelled", `run ${runId}, review round ${round}: cancelled`);
    }
    const parsed = parseVerdict(answer);
    if ("error" in parsed) {
      await recorder.event(EVENTS.reviewInvalid, { round, error: parsed.error });
      throw new GafferError(
        "agent-failed",
        `run ${runId}, review round ${round}: ${parsed.error}`,
        `details: \`gaffer logs ${runId}\``,
      );
    }
    const review = {
      round,
      role: options.role.name,
      headCommit: proposal.headCommit,
      verdict: parsed.verdict,
      summary: parsed.summary,
      findings: parsed.findings,
    };
    if (parsed.verdict === "approve") {
      await recordReview(db, run, review);
      return { round, verdict: parsed.verdict, outcome: "approved" };
    }
    if (round > options.maxRounds) {
      const reason = `review: changes still requested after ${round} round${round === 1 ? "" : "s"}: ${parsed.summary || `${parsed.findings.length} findings`}`;
      const report = await writeFailureReport(project, run, item, reason);
      await recordReview(db, run, review, { then: "give-up", reason, report });
      return { round, verdict: parsed.verdict, outcome: "gave-up" };
    }
    await recordReview(db, run, review, { then: "revise", feedback: findingsText(parsed) });
    return { round, verdict: parsed.verdict, outcome: "revising" };
  } finally {
    watcher.stop();
    await confinement.close();
    await meter.flush();
    const snapshot = await discardWorkspace(project.root, workspace, `review-${run.id}-${round}`).catch(
      () => null,
    );
    await removeSandboxState(stateDir);
    await recorder.event(EVENTS.reviewWorkspaceRemoved, { snapshot: snapshot?.ref ?? null });
  }
}

/**
 * What a reviewer's turn shares with a builder's: the project, the run's recorder, and a stop for
 * a budget its spending goes past or for its output going past `[limits] output_bytes`.
 */
function reviewContext(
  project: Project,
  item: Item,
  recorder: RunRecorder,
  options: ReviewOptions,
): StepContext {
  const limit = new AbortController();
  const context: StepContext = {
    project,
    item,
    recorder,
    options: { agent: options.agent, role: options.role, scriptedAgentCommand: options.scriptedAgentCommand },
    signal: options.signal ? AbortSignal.any([options.signal, limit.signal]) : limit.signal,
    stop(reason) {
      context.limitReason ??= reason;
      limit.abort();
    },
    output: new OutputMeter(project.config.limits.outputBytes, (used) => {
      const reason = outputReason(project.config.limits.outputBytes);
      if (!context.limitReason) recorder.enqueue(EVENTS.limitExceeded, { reason, outputBytes: used });
      context.stop(reason);
    }),
    processes: new RunProcesses(),
  };
  return context;
}

/** One agent turn; what the agent said is its answer. */
async function converse(
  context: StepContext,
  run: Run,
  round: number,
  brief: string,
  usage: AttemptUsage,
  wrap: CommandWrapper,
): Promise<string> {
  const { project, recorder, options, signal } = context;
  const preset = agentPreset(project.config, run.agent);
  const driver = createAgentDriver(preset, { scriptedAgentCommand: options.scriptedAgentCommand });
  let answer = "";
  // A CLI driven by a command template has no messages: what it printed is its answer.
  const printed: string[] = [];
  const sink = new AgentUpdateSink(recorder, context.output, REVIEWER_UPDATE_EVENTS, { round });
  const session = await driver.startSession({
    workspace: run.workspace,
    env: process.env,
    policy: commandPolicy(run.branch),
    hosts: project.config.sandbox.hosts,
    onUpdate: (update: AgentUpdate) => {
      if (update.kind === "message") answer += update.text;
      else if (update.kind === "output") printed.push(update.text);
      sink.push(update);
      usage.observe(update);
    },
    onTerminalOutput: (bytes) => void context.output.take(bytes),
    turnTimeoutMs: project.config.agent.turnTimeoutMs,
    wrap,
  });
  const onAbort = () => void session.cancel();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const turn = session.prompt({
      text: brief,
      attempt: run.attempt,
      runId: run.id,
      itemId: run.itemId,
      review: round,
    });
    // A cancel that came while the session was starting has no turn to stop until now.
    if (signal.aborted) onAbort();
    const result = await turn;
    if (result.stopReason === "error" || result.stopReason === "timeout") {
      throw new GafferError(
        "agent-failed",
        `run ${run.id}, review round ${round}: the reviewer ${result.stopReason === "timeout" ? "timed out" : "failed"}: ${(result.error ?? "").split("\n")[0]}`,
      );
    }
    return answer || printed.join("\n");
  } finally {
    signal.removeEventListener("abort", onAbort);
    await session.close();
    sink.flush();
  }
}

async function proposalDiff(
  project: Project,
  proposal: Proposal,
): Promise<{ diff: string; diffTruncated: boolean }> {
  const diff = await projectGit(project.root, [
    "diff",
    "--no-ext-diff",
    "--no-textconv",
    `${proposal.baseCommit}..${proposal.headCommit}`,
  ]);
  if (Buffer.byteLength(diff) <= DIFF_BYTES) return { diff, diffTruncated: false };
  return { diff: Buffer.from(diff).subarray(0, DIFF_BYTES).toString("utf8"), diffTruncated: true };
}
