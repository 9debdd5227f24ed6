import { ROLE_LABEL_PREFIX } from "../factory/index.ts";
import {
  addItem,
  editItem,
  EVENTS,
  appendEvent,
  listGateResults,
  listItems,
  setItemState,
} from "../store/index.ts";
import { hardenedGit } from "../workspace/index.ts";
import { taskItem } from "./briefs.ts";
import { commitScope, commitTask, commitType } from "./commits.ts";
import type { Halt, TrackContext } from "./context.ts";
import type { Track } from "./layout.ts";
import { type MetPhase, metRun, phaseUntilMet } from "./phase-loop.ts";
import type { Plan, PlanPhase, PlanTask } from "./plan.ts";
import { greenGate, phaseRole, redGate, trackDenyPaths } from "./settings.ts";

/**
 * One task, test-first: a red run whose tests gaffer sees fail, then a green run from there whose
 * gate gaffer sees pass (its gate runs first on the red work, so the agent starts from the
 * failing tests), then one commit of the green work with its note and the plan marked done.
 */
export async function runTask(
  ctx: TrackContext,
  track: Track & { plan: Plan },
  phase: PlanPhase,
  task: PlanTask,
): Promise<Halt | undefined> {
  const { project } = ctx;
  const itemId = await itemFor(ctx, track, `${track.dir}/plan.md#${task.key}`, taskItem(track, phase, task));
  const common = {
    itemId,
    branch: `gaffer/tracks/${track.id}/task-${task.key}`,
    denyPaths: trackDenyPaths(project.config, track),
  };
  const red = redGate(project.config);
  const redRole = phaseRole(project.config, "red", red.map((step) => step.run).join(" && "));
  const current = ctx.state.current;
  // A green phase under way was proven red already: that run holds the tests it starts from.
  const earlier =
    current?.task === task.key && current.phase === "green" && current.red_run !== undefined
      ? await metRun(ctx, current.red_run)
      : undefined;
  if (!earlier) ctx.note(`task ${task.key} ${task.name}: red phase`);
  const proven =
    earlier ??
    (await phaseUntilMet(
      ctx,
      {
        ...common,
        phase: "red",
        base: { branch: ctx.state.branch, commit: ctx.at.tip },
        gate: red,
        ...redRole,
      },
      task,
    ));
  if ("kind" in proven) return proven;
  ctx.note(`task ${task.key}: red proven by run ${proven.run.id}; green phase`);
  const gate = greenGate(project.config);
  const green = await phaseUntilMet(
    ctx,
    {
      ...common,
      phase: "green",
      base: { branch: proven.run.branch, commit: proven.proposal.headCommit },
      gate,
      ...phaseRole(project.config, "green", gate.map((step) => step.run).join(" && ")),
    },
    { key: task.key, name: task.name, redRun: proven.run.id },
  );
  if ("kind" in green) return green;
  const commit = await commitTask(ctx.at, track, task, {
    tree:
      green.proposal.tree ??
      (await hardenedGit(ctx.at.root, ["rev-parse", `${green.proposal.headCommit}^{tree}`])),
    subject: `${commitType(track.metadata.type)}(${commitScope(track.id)}): ${task.name.replace(/\.$/, "")}`,
    note: await taskNote(ctx, track, task, proven, green),
  });
  const now = new Date().toISOString();
  ctx.state.completed.push({
    task: task.key,
    name: task.name,
    commit,
    red_run: proven.run.id,
    green_run: green.run.id,
  });
  ctx.state.last_completed_task = task.key;
  ctx.state.last_commit_at = now;
  ctx.state.current = null;
  ctx.save();
  ctx.watchdog.progress();
  await setItemState(project.store.db, itemId, "closed", `${ctx.state.branch} ${commit.slice(0, 7)}`);
  await appendEvent(project.store.db, { itemId }, EVENTS.trackTaskDone, {
    track: track.id,
    task: task.key,
    commit,
    red: proven.run.id,
    green: green.run.id,
  });
  ctx.note(`task ${task.key}: green by run ${green.run.id}; committed ${commit.slice(0, 7)}`);
  return undefined;
}

/**
 * The item a task (or the completion gate) runs under, found by where it comes from, kept up to
 * date with the plan and open. Its label makes it one role's own: the factory leaves it alone.
 */
export async function itemFor(
  ctx: TrackContext,
  track: Track,
  source: string,
  fields: { title: string; body: string },
): Promise<number> {
  const db = ctx.project.store.db;
  const existing = (await listItems(db, { state: "all" })).find((item) => item.source === source);
  if (!existing) {
    const labels = [`${ROLE_LABEL_PREFIX}track:${track.id}`];
    return (await addItem(db, { ...fields, labels, source })).id;
  }
  if (existing.title !== fields.title || existing.body !== fields.body)
    await editItem(db, existing.id, fields);
  if (existing.state === "closed") await setItemState(db, existing.id, "open");
  return existing.id;
}

/** The task's git note: what it is, and the runs whose gates prove red then green. */
async function taskNote(
  ctx: TrackContext,
  track: Track,
  task: PlanTask,
  red: MetPhase,
  green: MetPhase,
): Promise<string> {
  const db = ctx.project.store.db;
  const evidence = async (met: MetPhase) =>
    (await listGateResults(db, met.run.id, met.run.attempt)).map(
      (step) =>
        `  ${step.name}: \`${step.command}\` exit ${step.exitCode ?? step.signal ?? "none"} (${step.durationMs} ms)`,
    );
  const files = await hardenedGit(ctx.at.root, [
    "diff",
    "--name-only",
    ctx.at.tip,
    green.proposal.headCommit,
  ]);
  return [
    `Task ${task.key}: ${task.name}`,
    `Track: ${track.id}`,
    "",
    `Red: gaffer run ${red.run.id}, attempt ${red.run.attempt}: the tests failed, as they must before the code exists`,
    ...(await evidence(red)),
    `Green: gaffer run ${green.run.id}, attempt ${green.run.attempt}: the gate passed`,
    ...(await evidence(green)),
    "",
    "Files:",
    ...files
      .split("\n")
      .filter(Boolean)
      .map((file) => `  ${file}`),
    "",
    `Evidence: gaffer show ${red.run.id}; gaffer show ${green.run.id}`,
  ].join("\n");
}
