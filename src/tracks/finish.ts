import { appendEvent, EVENTS, type GateResult, listGateResults, setItemState } from "../store/index.ts";
import { readAgentFile, runShell } from "../util/index.ts";
import { hardenedGit } from "../workspace/index.ts";
import { completionItem } from "./briefs.ts";
import { commitCheckpoint, commitFiles, commitScope, commitWork } from "./commits.ts";
import { type CompletionStep, renderCompletionReport } from "./completion.ts";
import type { Halt, TrackContext, TrackResult } from "./context.ts";
import { commitReader, type Track, trackFiles } from "./layout.ts";
import { setTopLevelString } from "./metadata.ts";
import { phaseUntilMet } from "./phase-loop.ts";
import type { Plan, PlanPhase } from "./plan.ts";
import { type GiveUpSignal, writeFailureReport } from "./reports.ts";
import { completionGate, phaseRole, trackDenyPaths } from "./settings.ts";
import { setTrackStatus } from "./state-toml.ts";
import { itemFor } from "./task.ts";
import { decodeUtf8 } from "./text-lines.ts";

/** The most of a completion gate's output the report embeds; the rest stays in its log. */
const MAX_EMBEDDED_BYTES = 256 * 1024;

/** The track gives up: the seven-section failure report, `.STOPPED`, the state saying why. */
export async function stopTrack(
  ctx: TrackContext,
  halt: { signal: GiveUpSignal; detail: string },
): Promise<TrackResult> {
  const { project, state } = ctx;
  const gitLog = await hardenedGit(project.root, [
    "log",
    "--oneline",
    "--no-decorate",
    state.branch,
    `^${state.base_commit}`,
  ]);
  const report = writeFailureReport(project.root, project.config.tracks.failuresDir, {
    state,
    failcount: ctx.failcount,
    signal: halt.signal,
    detail: halt.detail,
    gitLog,
    quietMs: ctx.watchdog.quietMs,
  });
  state.status = "stopped";
  state.stopped = { at: new Date().toISOString(), signal: halt.signal, detail: halt.detail, report };
  ctx.save();
  await appendEvent(project.store.db, {}, EVENTS.trackStopped, {
    track: state.track,
    signal: halt.signal,
    detail: halt.detail,
    report,
  });
  return { outcome: "gave-up", track: state.track, branch: state.branch, report, ...halt, state };
}

/** A phase whose tasks are all done ends with its checkpoint; its note is the gate that proved its last task. */
export async function checkpointPhase(
  ctx: TrackContext,
  track: Track & { plan: Plan },
  phase: PlanPhase,
): Promise<void> {
  const last = [...ctx.state.completed]
    .reverse()
    .find((done) => phase.tasks.some((task) => task.key === done.task));
  const steps = last?.green_run ? await greenEvidence(ctx, last.green_run) : [];
  const note = [
    `Phase ${phase.number}: ${phase.name}`,
    `Track: ${track.id}`,
    "",
    last?.green_run
      ? `Verified by gaffer: the gate passed on this tree in run ${last.green_run}:`
      : "Verified by gaffer: every task of the phase passed its gate.",
    ...steps.map(
      (step) => `  ${step.name}: \`${step.command}\` exit ${step.exitCode ?? "none"} (${step.durationMs} ms)`,
    ),
    "",
    ...phase.tasks.filter((task) => task.verifies !== undefined).map((task) => `Left for you: ${task.name}`),
  ].join("\n");
  const commit = await commitCheckpoint(ctx.at, track, phase, note);
  await appendEvent(ctx.project.store.db, {}, EVENTS.trackCheckpoint, {
    track: track.id,
    phase: phase.number,
    commit,
  });
  ctx.note(`phase ${phase.number} ${phase.name}: checkpoint ${commit.slice(0, 7)}`);
}

/**
 * The end: gaffer runs the completion gate on the finished track (a run whose gate goes first, so
 * an agent fixes it if it fails), then commits the completion report with that gate's real
 * output, `status = "completed"` in state.toml and metadata.json. The track is complete only then.
 */
export async function completeTrack(
  ctx: TrackContext,
  track: Track & { plan: Plan },
): Promise<TrackResult | Halt> {
  const { project, state, at } = ctx;
  const gate = await completionGate(project.root, project.config, track, at.tip);
  const command = gate.map((step) => step.run).join(" && ");
  ctx.note(`completion gate: ${command}`);
  const itemId = await itemFor(ctx, track, `${track.dir}/plan.md#complete`, completionItem(track));
  const met = await phaseUntilMet(
    ctx,
    {
      phase: "complete",
      itemId,
      branch: `gaffer/tracks/${track.id}/complete`,
      base: { branch: state.branch, commit: at.tip },
      gate,
      denyPaths: trackDenyPaths(project.config, track),
      ...phaseRole(project.config, "complete", command),
    },
    { key: "complete", name: "completion gate" },
  );
  if ("kind" in met) return met;
  if (met.proposal.commits.length > 0) {
    const tree =
      met.proposal.tree ?? (await hardenedGit(at.root, ["rev-parse", `${met.proposal.headCommit}^{tree}`]));
    await commitWork(
      at,
      tree,
      `fix(${commitScope(track.id)}): make the completion gate pass`,
      `gaffer run ${met.run.id}`,
    );
  }
  const completedAt = new Date();
  const steps = await completionSteps(ctx, met.run.id, met.run.attempt);
  const reportPath = `${project.config.tracks.reportsDir.replace(/\/+$/, "")}/TRACK_COMPLETION_${track.id}.md`;
  const files: Record<string, string> = {
    [reportPath]: renderCompletionReport(
      track,
      state,
      { run: met.run.id, attempt: met.run.attempt, steps },
      completedAt,
    ),
    ...(await completedStatus(ctx, track, completedAt)),
  };
  const head = await commitFiles(at, files, `conductor(track): Complete track '${track.id}'`);
  state.status = "completed";
  state.current = null;
  ctx.save();
  await setItemState(project.store.db, itemId, "closed", `${state.branch} ${head.slice(0, 7)}`);
  await appendEvent(project.store.db, {}, EVENTS.trackCompleted, {
    track: track.id,
    branch: state.branch,
    head,
    report: reportPath,
  });
  return {
    outcome: "completed",
    track: track.id,
    branch: state.branch,
    report: reportPath,
    signal: undefined,
    detail: undefined,
    state,
  };
}

/** Runs `[tracks] notify` with what happened in its environment. */
export async function notifyTrack(
  ctx: { project: TrackContext["project"] },
  result: TrackResult,
): Promise<boolean> {
  const command = ctx.project.config.tracks.notify;
  if (!command) return false;
  await runShell(command, {
    cwd: ctx.project.root,
    extraEnv: {
      GAFFER_TRACK: result.track,
      GAFFER_TRACK_OUTCOME: result.outcome,
      GAFFER_TRACK_BRANCH: result.branch,
      GAFFER_TRACK_REPORT: result.report ?? "",
    },
    timeoutMs: 60_000,
  });
  return true;
}

async function greenEvidence(ctx: TrackContext, runId: number): Promise<GateResult[]> {
  const results = await listGateResults(ctx.project.store.db, runId);
  const last = results.at(-1)?.attempt;
  return results.filter((result) => result.attempt === last);
}

/** Each step of the completion gate with its output: the full log gaffer wrote when it fits, else what the store kept. */
async function completionSteps(ctx: TrackContext, runId: number, attempt: number): Promise<CompletionStep[]> {
  return (await listGateResults(ctx.project.store.db, runId, attempt)).map((result) => {
    const log = result.logPath ? readAgentFile(result.logPath, { maxBytes: MAX_EMBEDDED_BYTES }) : undefined;
    const whole = log?.ok === true;
    return {
      command: result.command,
      exitCode: result.exitCode ?? -1,
      durationMs: result.durationMs,
      output: whole ? log.data.toString("utf8") : result.output,
      truncatedAt:
        whole || result.output.length >= result.outputBytes ? undefined : (result.logPath ?? undefined),
    };
  });
}

/** `status = "completed"` in the track's state.toml and metadata.json, where they exist; other bytes kept. */
async function completedStatus(ctx: TrackContext, track: Track, at: Date): Promise<Record<string, string>> {
  const read = commitReader(ctx.at.root, ctx.at.tip);
  const paths = trackFiles(track.dir);
  const files: Record<string, string> = {};
  const state = await read(paths.state);
  if (state) files[paths.state] = setTrackStatus(decodeUtf8(state, paths.state), "completed");
  const metadata = await read(paths.metadata);
  if (metadata) {
    const text = setTopLevelString(decodeUtf8(metadata, paths.metadata), "status", "completed");
    files[paths.metadata] = setTopLevelString(text, "updated_at", at.toISOString().replace(/\.\d{3}Z$/, "Z"));
  }
  return files;
}
