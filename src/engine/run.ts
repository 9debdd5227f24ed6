import { preflightAgent } from "../agents/index.ts";
import { agentPreset } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { claimTrackedItem } from "../intake/index.ts";
import {
  createRun,
  EVENTS,
  eventsOfKind,
  findProposal,
  getItem,
  getRun,
  isStopped,
  type Item,
  listAttempts,
  listEvents,
  listRuns,
  type Proposal,
  type Run,
  type RunGoal,
  RUN_TRANSITIONS,
  TERMINAL_STATES,
} from "../store/index.ts";
import { runBranchName } from "../workspace/index.ts";
import { runAgentStep } from "./agent-step.ts";
import { runGateStep } from "./gate-step.ts";
import { sandboxDecision } from "./confinement.ts";
import { removeSandboxState, sandboxDirs } from "./sandbox-state.ts";
import { failureCause } from "./failure.ts";
import { prepareWorkspace } from "./prepare.ts";
import type { Project } from "./project.ts";
import { proposeStep } from "./propose.ts";
import { rebaseStep } from "./rebase-step.ts";
import { RunRecorder } from "./recorder.ts";
import { writeFailureReport } from "./report.ts";
import { highestRunIdOnDisk } from "./paths.ts";
import { outputReason, RunProcesses, type Usage, watchLimits } from "./limits.ts";
import { OutputMeter } from "./output-meter.ts";
import { nextStep } from "./steps.ts";
import { ModelMeter } from "./model-meter.ts";
import type { RunOptions, RunPlan, StepContext } from "./step-context.ts";
import { RunStart } from "./run-start.ts";

export type RunOutcome = "proposed" | "failed" | "gave-up" | "cancelled" | "interrupted";

export interface RunResult {
  run: Run;
  outcome: RunOutcome;
  proposal: Proposal | undefined;
}

/** Starts a new run of an item and drives it to an outcome. */
export async function startRun(
  project: Project,
  itemId: number,
  options: RunOptions,
  plan: RunPlan = {},
): Promise<RunResult> {
  const item = await getItem(project.store.db, itemId);

  if (item.state === "closed") {
    throw new GafferError(
      "run-state",
      `item #${item.id} is closed`,
      `reopen it with \`gaffer issue edit ${item.id} --open\``,
    );
  }
  const runs = await listRuns(project.store.db, { itemId });
  const branch = plan.branch ?? runBranchName(item.id, item.title, runs.length);
  const start = new RunStart(project, { branch, ...(plan.base && { base: plan.base }) });
  let run: Run;
  try {
    run = await createRunOf(project, item, runs, { ...plan, branch }, options, start);
  } catch (error) {
    await start.release();
    throw error;
  }
  return drive(project, run, item, options, start);
}

/** Checks that the item can run with its agent, then records the run. */
async function createRunOf(
  project: Project,
  item: Item,
  runs: Run[],
  plan: RunPlan & { branch: string },
  options: RunOptions,
  start: RunStart,
): Promise<Run> {
  const preset = agentPreset(project.config, options.agent ?? project.config.agent.default);
  await preflightAgent(preset, { prompt: item.body, cwd: project.root, env: process.env });

  sandboxDecision(project.config, preset);
  await claimTrackedItem(project.store.db, project.config.tracker, item.id);

  const agent = preset.name;
  assertGate(project);
  const { branch: baseBranch, commit: baseCommit } = await start.base;

  const previous = runs.at(-1);
  if (previous)
    options.observer?.onNotice({
      runId: previous.id,
      type: EVENTS.runPrevious.name,
      at: Date.now(),
      data: {
        item: item.id,
        state: previous.state,
        reason: previous.reason,
        resumable: RESUME_FROM.includes(previous.state),
      },
    });
  const run = await createRun(project.store.db, {
    itemId: item.id,
    agent,
    branch: plan.branch,
    baseBranch,
    baseCommit,
    workspace: "",
    maxFixAttempts: plan.maxFixAttempts ?? project.config.gate.maxFixAttempts,
    owner: project.owner,
    sandbox: "off",
    idsTakenUpTo: highestRunIdOnDisk(project.paths),
    ...(options.role && { role: options.role.name }),
    ...(plan.goal && { goal: plan.goal }),
    ...(plan.gateFirst && { gateFirst: true }),
  });
  options.observer?.onNotice({
    runId: run.id,
    type: EVENTS.runCreated.name,
    at: run.createdAt,
    data: { agent, branch: run.branch, base: baseBranch, baseCommit },
  });
  return run;
}

/** A run without a gate proves nothing: neither a new one nor a resumed one is let go without. */
function assertGate(project: Project): void {
  if (project.config.gate.commands.length > 0) return;
  throw new GafferError(
    "config-invalid",
    `${project.config.file ?? "gaffer.toml"}: no [[gate.commands]]: a run without a gate proves nothing`,
    'add a gate, e.g. [[gate.commands]] name = "test" run = "npm test"',
  );
}

/** What the run's gate must show, as recorded when the run was created. */
async function recordedGoal(project: Project, runId: number): Promise<RunGoal> {
  const created = eventsOfKind(await listEvents(project.store.db, { runId, limit: 1 }), EVENTS.runCreated);
  return created[0]?.data.goal ?? "green";
}

/** The states `--resume` continues a run from. */
const RESUME_FROM = RUN_TRANSITIONS.resume.from;

/** Continues the item's latest cancelled, interrupted or failed run from its last recorded step. */
export async function resumeRun(project: Project, itemId: number, options: RunOptions): Promise<RunResult> {
  const item = await getItem(project.store.db, itemId);
  const latest = (await listRuns(project.store.db, { itemId })).at(-1);
  if (!latest || !RESUME_FROM.includes(latest.state)) {
    const what = latest ? `its latest run ${latest.id} is ${latest.state}` : "it has no run yet";
    throw new GafferError(
      "run-state",
      `nothing to resume for item #${itemId}: ${what}`,
      `start one with \`gaffer run ${itemId}\``,
    );
  }
  const preset = agentPreset(project.config, options.agent ?? latest.agent);
  await preflightAgent(preset, { prompt: item.body, cwd: project.root, env: process.env });
  sandboxDecision(project.config, preset);
  assertGate(project);
  await claimTrackedItem(project.store.db, project.config.tracker, item.id);
  const recorder = new RunRecorder(project.store.db, { id: latest.id, itemId }, options.observer);
  const run = await recorder.move(project.store.db, "resume", {
    set: {
      owner: project.owner,
      reason: null,
      endedAt: null,
      ...(options.agent && { agent: options.agent }),
    },
    data: { from: latest.state, attempt: latest.attempt },
  });
  return drive(project, run, item, options);
}

async function drive(
  project: Project,
  initial: Run,
  item: Item,
  options: RunOptions,
  start?: RunStart,
): Promise<RunResult> {
  // A security event the store could not take stops the run at once (see RunRecorder).
  const recorder = new RunRecorder(
    project.store.db,
    { id: initial.id, itemId: item.id },
    options.observer,
    (lost) => context.stop(lost.message),
  );
  const limit = new AbortController();
  const signal = AbortSignal.any([options.signal ?? new AbortController().signal, limit.signal]);
  const { limits } = project.config;
  let exceededAlready = false;
  const exceed = (reason: string, usage: Partial<Usage>) => {
    if (exceededAlready) return;
    exceededAlready = true;
    recorder.enqueue(EVENTS.limitExceeded, { reason, ...usage });
    context.stop(reason);
  };
  const context: StepContext = {
    project,
    item,
    recorder,
    options,
    goal: await recordedGoal(project, initial.id),
    signal,
    stop(reason) {
      context.limitReason ??= reason;
      limit.abort();
    },
    output: new OutputMeter(limits.outputBytes, (used) =>
      exceed(outputReason(limits.outputBytes), { outputBytes: used }),
    ),
    processes: new RunProcesses(),
    ...(start && { start }),
  };
  context.meter = new ModelMeter(context, initial);
  const watcher = watchLimits({
    limits,
    // Watched from the start, so setup steps count too: a place not made yet weighs nothing.
    // The gate's checkout and its private HOME and /tmp hold what the agent's code writes there.
    places: () => [
      project.paths.workspace(initial.id),
      sandboxDirs(project.paths.runDir(initial.id), false).root,
      project.paths.gate(initial.id),
      `${project.paths.gate(initial.id)}.env`,
    ],
    outputBytes: () => context.output.used,
    processes: context.processes,
    onExceeded: exceed,
  });
  try {
    return await loop(context, initial.id);
  } finally {
    watcher.stop();
    await context.session?.close();
    await context.confinement?.close();
    await context.meter.flush();
    await removeEndedRunState(project, initial.id);
    await context.start?.release();
    await context.warmRefill;
  }
}

/**
 * A run that ended (proposed, gave up, failed) loses its sandbox's private files — /tmp, HOME,
 * /dev/shm and the agent's state — once everything that ran in the sandbox is gone; its workspace
 * stays. A cancelled or interrupted run keeps them for `--resume`.
 */
async function removeEndedRunState(project: Project, runId: number): Promise<void> {
  const run = await getRun(project.store.db, runId).catch(() => undefined);
  if (run && TERMINAL_STATES.includes(run.state)) await removeSandboxState(project.paths.runDir(run.id));
}

/** Takes the next step the store calls for until the run ends, is cancelled or hits a limit. */
async function loop(context: StepContext, runId: number): Promise<RunResult> {
  const { project, recorder, signal } = context;
  const db = project.store.db;
  for (;;) {
    const run = await getRun(db, runId);
    if (signal.aborted && !TERMINAL_STATES.includes(run.state)) {
      // An event the store lost ends the run with that error, whatever else stopped it.
      await recorder.flush().catch(async (lost: unknown) => {
        await failRun(context, lost);
        throw lost;
      });
      if (context.planLimit)
        return finish(
          project,
          await interrupt(context, new GafferError("plan-limit", context.planLimit.reason)),
        );
      if (!context.limitReason) return finish(project, await cancel(context, run));
      const section = context.limitReason.startsWith("budget:") ? "[budget]" : "[limits]";
      await failRun(
        context,
        new GafferError("limit-exceeded", context.limitReason, `raise it under ${section} in gaffer.toml`),
      );
      return finish(project, await getRun(db, runId));
    }
    const step = nextStep(run, await listAttempts(db, run.id), context.confinement !== undefined);
    try {
      switch (step.kind) {
        case "done":
          return finish(project, run);
        case "prepare":
          context.confinement = await prepareWorkspace(context, run);
          break;
        case "rebase":
          await rebaseStep(context, run, step.onto);
          break;
        case "agent":
          await runAgentStep(context, run, step.attempt);
          break;
        case "gate":
          await runGateStep(context, run, step.attempt);
          break;
        case "propose":
          await proposeStep(context, run);
          break;
        case "give-up":
        case "fail":
          await endWithReport(context, run, step.kind === "fail" ? "failed" : "gave-up", step);
          break;
        default:
          return step satisfies never;
      }
    } catch (error) {
      if (signal.aborted) continue;
      if (error instanceof GafferError && error.code === "infrastructure")
        return finish(project, await interrupt(context, error));
      await failRun(context, error);
      throw error;
    }
  }
}

async function endWithReport(
  context: StepContext,
  run: Run,
  to: "failed" | "gave-up",
  step: { kind: "give-up"; signal: string; detail: string } | { kind: "fail"; reason: string },
): Promise<void> {
  const reason = step.kind === "fail" ? step.reason : `${step.signal}: ${step.detail}`;
  const reportPath = await writeFailureReport(context.project, run, context.item, reason);
  const end = { owner: context.project.owner, set: { reason, reportPath, owner: null } };
  const db = context.project.store.db;
  if (to === "gave-up")
    await context.recorder.move(db, "giveUp", { ...end, data: { reason, report: reportPath } });
  else
    await context.recorder.move(db, "fail", { ...end, data: { reason, report: reportPath, cause: "agent" } });
}

/** A step that threw: the run ends failed with the reason, its workspace kept for a resume. */
async function failRun(context: StepContext, error: unknown): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  const run = await getRun(context.project.store.db, context.recorder.runId);
  if (isStopped(run.state)) return;
  const reportPath = await writeFailureReport(context.project, run, context.item, reason).catch(() => null);
  await context.recorder
    .move(context.project.store.db, "fail", {
      owner: context.project.owner,
      set: { reason, reportPath, owner: null },
      data: {
        reason,
        report: reportPath,
        ...(error instanceof GafferError && { code: error.code }),
        cause: failureCause(error),
      },
    })
    .catch(() => {});
}

/** The machine, not the agent, stopped a step: the run is interrupted, to be resumed with nothing charged. */
async function interrupt(context: StepContext, error: GafferError): Promise<Run> {
  const db = context.project.store.db;
  const run = await getRun(db, context.recorder.runId);
  return context.recorder.move(db, "interrupt", {
    owner: context.project.owner,
    set: { reason: error.message, owner: null },
    data: { during: run.state, attempt: run.attempt, reason: error.message },
  });
}

async function cancel(context: StepContext, run: Run): Promise<Run> {
  return context.recorder.move(context.project.store.db, "cancel", {
    owner: context.project.owner,
    set: { reason: "cancelled by the user", owner: null },
    data: { attempt: run.attempt },
  });
}

async function finish(project: Project, run: Run): Promise<RunResult> {
  const outcome: RunOutcome =
    run.state === "proposed"
      ? "proposed"
      : run.state === "gave-up"
        ? "gave-up"
        : run.state === "cancelled" || run.state === "interrupted"
          ? run.state
          : "failed";
  return { run, outcome, proposal: await findProposal(project.store.db, run.id) };
}
