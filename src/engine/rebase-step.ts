import { GafferError } from "../errors.ts";
import { addGatingAttempt, findProposal, inTransaction, type Run, updateAttempt } from "../store/index.ts";
import { rebaseWorkspace } from "../workspace/index.ts";
import type { StepContext } from "./step-context.ts";
import { runWorkspace } from "./workspace-handle.ts";

/**
 * A reaction re-opened the run because its base moved on the forge: gaffer rebases the run's work
 * (its proposal's head) onto the new base with its own git, in the kept workspace. A clean rebase
 * goes straight to the gate as the next attempt; conflicting files are left with their markers and
 * listed in the next attempt's brief, for the agent to resolve. The run's base becomes the new one.
 */
export async function rebaseStep(context: StepContext, run: Run, onto: string): Promise<void> {
  const { project, recorder } = context;
  const db = project.store.db;
  const proposal = await findProposal(db, run.id);
  if (!proposal) {
    throw new GafferError(
      "run-state",
      `run ${run.id} has no proposal to rebase onto ${onto.slice(0, 12)}`,
      "run the item again",
    );
  }
  const workspace = runWorkspace(run, recorder, context.signal);
  const { conflicts } = await rebaseWorkspace(workspace, {
    branch: run.branch,
    work: proposal.headCommit,
    onto,
    message: `gaffer: rebased run ${run.id} onto ${onto}`,
  });
  const next = run.attempt + 1;
  await inTransaction(db, async (trx) => {
    if (conflicts.length === 0) await addGatingAttempt(trx, run.id, next);
    else
      await updateAttempt(trx, run.id, run.attempt, {
        state: "changes-requested",
        feedback: conflictNote(onto, conflicts),
        feedbackKind: "rebase",
      });
    await recorder.move(trx, "rebase", {
      owner: project.owner,
      set: {
        baseCommit: onto,
        rebaseOnto: null,
        ...(conflicts.length === 0 && { attempt: next }),
      },
      data: { from: run.baseCommit, onto, conflicts, attempt: next },
    });
  });
}

function conflictNote(onto: string, conflicts: string[]): string {
  return [
    `The branch your work merges into moved on (it is now at ${onto.slice(0, 12)}), and your change conflicts with it.`,
    "gaffer rebased your work onto it: the files below hold both versions between conflict markers",
    "(<<<<<<<, =======, >>>>>>>). Resolve each conflict so that both changes are kept, remove every",
    "marker, and keep the gate green. Do not commit, rebase or merge yourself.",
    "",
    ...conflicts.map((path) => `- ${path}`),
  ].join("\n");
}
