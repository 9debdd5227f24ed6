import type { RunNotice, RunResult } from "../engine/index.ts";
import { EVENTS, findProposal, getRun, type Proposal, RESUMABLE_STATES, type Run } from "../store/index.ts";
import type { Halt, TrackContext } from "./context.ts";
import { missedAttempts, type PhaseSpec, runPhase } from "./phase-run.ts";
import { recordFailure, type TrackPhase } from "./state.ts";

const SUMMARY_LINES = 30;

/** A phase that met its goal: its run and the proposal that holds its work. */
export interface MetPhase {
  run: Run;
  proposal: Proposal;
}

/**
 * Runs a phase until gaffer sees it meet its goal, counting every miss against failcount: a run
 * that gives up early (no change, the same failure twice) is followed by a fresh one until the
 * phase's consecutive failures reach the limit. The counters are gaffer's; nothing the agent says
 * moves them. A phase cut short (Ctrl-C, the no-progress watchdog, a crash) resumes its own run.
 */
export async function phaseUntilMet(
  ctx: TrackContext,
  spec: Omit<PhaseSpec, "maxFixAttempts">,
  task: { key: string; name: string; redRun?: number },
): Promise<MetPhase | Halt> {
  const counter = spec.phase === "red" ? "consecutive_red_failures" : "consecutive_green_failures";
  const limit = spec.phase === "red" ? ctx.failcount.red : ctx.failcount.green;
  for (;;) {
    const earlier = await earlierRun(ctx, spec.phase, task.key);
    const met = earlier && (await metRun(ctx, earlier.id));
    if (met) return met;
    const resume = earlier !== undefined && [...RESUMABLE_STATES, "failed"].includes(earlier.state);
    ctx.state.current = currentPhase(task, spec.phase, resume ? earlier.id : null);
    ctx.save();
    const remaining = Math.max(1, limit - ctx.state[counter]);
    const result = await runPhase(
      ctx.project,
      // A red run misses once per attempt; a green run's attempt 0 is its base, missed by design.
      { ...spec, maxFixAttempts: spec.phase === "red" ? remaining - 1 : remaining },
      {
        signal: AbortSignal.any([ctx.options.signal, ctx.watchdog.signal]),
        observer: { onNotice: (notice) => watchProgress(ctx, spec.phase, notice) },
        scriptedAgentCommand: ctx.options.scriptedAgentCommand,
      },
      resume,
      (runId) => {
        if (ctx.state.current) ctx.state.current.run = runId;
        ctx.save();
      },
    );
    const missed = await countMisses(ctx, spec.phase, task.key, result);
    ctx.state[counter] = result.outcome === "proposed" ? 0 : ctx.state[counter] + missed.count;
    ctx.save();
    // A run allowed no fix attempt ends "failed" on its first miss: for the count, it gave up.
    const outcome = result.outcome === "failed" && missed.last ? "gave-up" : result.outcome;
    switch (outcome) {
      case "proposed":
        if (result.proposal) return { run: result.run, proposal: result.proposal };
        return { kind: "give-up", signal: "run-failed", detail: `run ${result.run.id} proposed nothing` };
      case "gave-up":
        if (ctx.state[counter] >= limit) {
          return {
            kind: "give-up",
            signal: spec.phase === "red" ? "red-limit" : "green-limit",
            detail: `${ctx.state[counter]} consecutive ${spec.phase === "red" ? "red" : "green"}-phase failures (limit ${limit}) on task ${task.key}`,
          };
        }
        ctx.note(
          `task ${task.key} ${spec.phase}: run ${result.run.id} gave up; a fresh run (${ctx.state[counter]} of ${limit} failures)`,
        );
        ctx.state.current = currentPhase(task, spec.phase, null);
        ctx.save();
        continue;
      case "failed":
        return {
          kind: "give-up",
          signal: "run-failed",
          detail: `run ${result.run.id}: ${result.run.reason ?? "failed"}`,
        };
      case "cancelled":
        if (ctx.watchdog.fired) {
          return {
            kind: "give-up",
            signal: "no-progress",
            detail: `no commit and no gate meeting its goal for ${Math.round(ctx.failcount.noProgressMs / 60_000)} minutes (task ${task.key}, ${spec.phase} phase, run ${result.run.id})`,
          };
        }
        return { kind: "cancelled", detail: `run ${result.run.id} was cancelled` };
      case "interrupted":
        return { kind: "interrupted", detail: `run ${result.run.id}: ${result.run.reason ?? "interrupted"}` };
      default:
        return outcome satisfies never;
    }
  }
}

/** A proposed run of the track: a phase that met its goal. */
export async function metRun(ctx: TrackContext, runId: number): Promise<MetPhase | undefined> {
  const run = await getRun(ctx.project.store.db, runId).catch(() => undefined);
  const proposal = run?.state === "proposed" ? await findProposal(ctx.project.store.db, run.id) : undefined;
  return run && proposal ? { run, proposal } : undefined;
}

function currentPhase(
  task: { key: string; name: string; redRun?: number },
  phase: TrackPhase,
  run: number | null,
): NonNullable<TrackContext["state"]["current"]> {
  return {
    task: task.key,
    name: task.name,
    phase,
    run,
    ...(task.redRun !== undefined && { red_run: task.redRun }),
  };
}

/** The run the state says this phase of this task had, if any. */
async function earlierRun(ctx: TrackContext, phase: TrackPhase, task: string): Promise<Run | undefined> {
  const current = ctx.state.current;
  if (current?.task !== task || current.phase !== phase || current.run === null) return undefined;
  return getRun(ctx.project.store.db, current.run).catch(() => undefined);
}

/**
 * Records each attempt of the run that missed its goal as a failure: how many there were, and
 * whether the run's last attempt was one.
 */
async function countMisses(
  ctx: TrackContext,
  phase: TrackPhase,
  task: string,
  result: RunResult,
): Promise<{ count: number; last: boolean }> {
  const missed = await missedAttempts(ctx.project, result.run.id);
  for (const attempt of missed) {
    recordFailure(ctx.state, {
      at: new Date(attempt.endedAt ?? Date.now()).toISOString(),
      task,
      phase,
      run: result.run.id,
      attempt: attempt.number,
      summary:
        attempt.state === "no-change"
          ? "the agent's turn changed nothing"
          : (attempt.feedback ?? "").split("\n").slice(0, SUMMARY_LINES).join("\n"),
    });
  }
  const last = missed.length > 0 && missed.at(-1)?.number === result.run.attempt;
  // A run that gave up without an attempt of its own to blame still counts once.
  return { count: result.outcome === "gave-up" ? Math.max(1, missed.length) : missed.length, last };
}

/**
 * Progress for the watchdog: a red phase's tests failing under gaffer, a green gate passing. What
 * the watcher sees is every notice but the one saying the item ran before: a task's green run
 * always follows its red one.
 */
function watchProgress(ctx: TrackContext, phase: TrackPhase, notice: RunNotice): void {
  const met =
    phase === "red" ? notice.type === EVENTS.gateFailed.name : notice.type === EVENTS.gatePassed.name;
  if (met) {
    ctx.watchdog.progress();
    if (phase !== "red") ctx.state.last_green_at = new Date(notice.at).toISOString();
  }
  if (notice.type !== EVENTS.runPrevious.name) ctx.options.observer?.onNotice(notice);
}
