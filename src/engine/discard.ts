import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { GafferError } from "../errors.ts";
import { EVENTS, getRun, type Run, RUN_TRANSITIONS } from "../store/index.ts";
import { discardWorkspace } from "../workspace/index.ts";
import type { Project } from "./project.ts";
import { RunRecorder } from "./recorder.ts";
import { removeSandboxState } from "./sandbox-state.ts";
import { runWorkspace } from "./workspace-handle.ts";

/**
 * Ends a run for good: its commits and uncommitted changes are first saved to
 * `refs/gaffer/snapshots/<run>` in the project, then the workspace, the gate's checkout and the
 * sandbox's private files (/tmp, HOME, /dev/shm, agent state) are removed (the evidence repository
 * stays with the run's records).
 */
export async function discardRun(
  project: Project,
  runId: number,
): Promise<{ run: Run; snapshotRef: string | undefined }> {
  const run = await getRun(project.store.db, runId);
  if (run.state === "discarded") {
    throw new GafferError(
      "run-state",
      `run ${runId} is already discarded`,
      `its work is in refs/gaffer/snapshots/${runId}`,
    );
  }
  if (!RUN_TRANSITIONS.discard.from.includes(run.state)) {
    throw new GafferError(
      "run-state",
      `run ${runId} is ${run.state}`,
      "cancel it first (Ctrl-C in its terminal), then discard it",
    );
  }
  const recorder = new RunRecorder(project.store.db, { id: run.id, itemId: run.itemId });
  let snapshotRef: string | undefined;
  if (run.workspace && existsSync(run.workspace)) {
    const snapshot = await discardWorkspace(project.root, runWorkspace(run, recorder), run.id);
    snapshotRef = snapshot?.ref;
    await recorder.event(EVENTS.workspaceSnapshot, {
      ref: snapshotRef ?? null,
      commit: snapshot?.commit ?? null,
    });
  }
  await removeSandboxState(project.paths.runDir(run.id));
  const gate = project.paths.gate(run.id);
  for (const path of [gate, `${gate}.index`, `${gate}.env`]) await rm(path, { recursive: true, force: true });
  const discarded = await recorder.move(project.store.db, "discard", {
    set: { owner: null },
    data: { from: run.state, snapshot: snapshotRef ?? null },
  });
  return { run: discarded, snapshotRef };
}
