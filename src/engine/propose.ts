import { GafferError } from "../errors.ts";
import { inTransaction, listGateResults, type Run, recordProposal } from "../store/index.ts";
import { commitChanges, describeProposal, publishBranch } from "../workspace/index.ts";
import type { StepContext } from "./run.ts";
import { verifyRun } from "./verify.ts";
import { runWorkspace } from "./workspace-handle.ts";

/**
 * The gate is green: gaffer commits what the agent left uncommitted (changed paths only), checks
 * the branch still grows from the base, publishes it to the project as a branch and records the
 * proposal with its evidence. Nothing is merged.
 */
export async function proposeStep(context: StepContext, run: Run): Promise<void> {
  const { project, recorder, item } = context;
  const db = project.store.db;
  await recorder.transition(db, {
    from: ["gating", "preparing", "proposing"],
    to: "proposing",
    owner: project.owner,
    event: "proposal.started",
    data: { attempt: run.attempt },
  });
  const workspace = runWorkspace(run, recorder);
  const message = `${item.title}\n\ngaffer item #${item.id}, run ${run.id}, attempt ${run.attempt}`;
  const findings = await verifyRun(context, run, workspace, message);
  const commit = await commitChanges(workspace, message, project.config.workspace.identity);
  await recorder.event("proposal.committed", { committed: commit.committed, head: commit.head });
  const description = await describeProposal(workspace, run.base_commit);
  if (description.commits.length === 0) {
    throw new GafferError(
      "agent-failed",
      `run ${run.id}: the gate is green but the agent changed nothing, so there is nothing to propose`,
      "check that the gate tests what the item asks for",
    );
  }
  await publishBranch(project.root, workspace, run.branch);
  const evidence = (await listGateResults(db, run.id, run.attempt)).map((result) => ({
    name: result.name,
    command: result.command,
    exitCode: result.exit_code,
    durationMs: result.duration_ms,
    outputSha256: result.output_sha256,
  }));
  await inTransaction(db, async (trx) => {
    await recordProposal(trx, {
      runId: run.id,
      itemId: item.id,
      branch: run.branch,
      baseCommit: run.base_commit,
      headCommit: description.head,
      commits: description.commits,
      diffStat: description.diffStat,
      evidence,
      findings,
      sandbox: run.sandbox,
    });
    await recorder.transition(trx, {
      from: ["proposing"],
      to: "proposed",
      owner: project.owner,
      set: { owner: null },
      event: "run.proposed",
      data: { branch: run.branch, head: description.head, commits: description.commits.length },
    });
  });
}
