import { GafferError } from "../errors.ts";
import {
  EVENTS,
  eventsOfKind,
  type GateEnvironment,
  inTransaction,
  listEvents,
  listGateResults,
  recordProposal,
  type Run,
} from "../store/index.ts";
import { describeProposal, publishCommit } from "../workspace/index.ts";
import type { StepContext } from "./step-context.ts";
import { inspectionOf, verifyRun } from "./verify.ts";
import { keptWork, runEvidence } from "./work.ts";
import { runWorkspace } from "./workspace-handle.ts";

/**
 * The gate is green: gaffer verifies the work its gate ran on — the evidence commit recorded after
 * the agent's turn (its branch plus what it left uncommitted) — publishes that very commit to the
 * project as a branch and records the proposal with its evidence, its tree and the environment
 * its gate saw. Nothing is merged.
 */
export async function proposeStep(context: StepContext, run: Run): Promise<void> {
  const { project, recorder, item } = context;
  const db = project.store.db;
  await recorder.move(db, "startProposal", { owner: project.owner, data: { attempt: run.attempt } });
  const workspace = runWorkspace(run, recorder);
  const work = await keptWork(context, run, run.attempt);
  if (!work) {
    throw new GafferError(
      "run-state",
      `run ${run.id}: attempt ${run.attempt} has no recorded work to propose`,
      `run its gate again with \`gaffer run ${item.id} --resume\``,
    );
  }
  const repo = await runEvidence(context, run);
  const inspection = inspectionOf(context, run, work);
  const findings = await verifyRun(
    context,
    run,
    workspace,
    { objects: repo, tip: work.tip, head: work.commit },
    inspection,
  );
  await recorder.event(EVENTS.proposalCommitted, {
    committed: work.commit !== work.tip,
    head: work.commit,
    tree: work.tree,
  });
  const description = await (inspection?.description ?? describeProposal(repo, run.baseCommit, work.commit));
  // Attempt 0 is a gate-first run's gate on its base: green there, the base itself is what it proposes.
  if (description.commits.length === 0 && run.attempt > 0) {
    throw new GafferError(
      "agent-failed",
      `run ${run.id}: the gate is green but the agent changed nothing, so there is nothing to propose`,
      "check that the gate tests what the item asks for",
    );
  }
  await publishCommit(project.root, repo, work.commit, run.branch);
  const evidence = (await listGateResults(db, run.id, run.attempt)).map((result) => ({
    name: result.name,
    command: result.command,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    outputSha256: result.outputSha256,
  }));
  const environment = await gateEnvironment(context, run);
  await inTransaction(db, async (trx) => {
    await recordProposal(trx, {
      runId: run.id,
      itemId: item.id,
      branch: run.branch,
      baseCommit: run.baseCommit,
      headCommit: description.head,
      commits: description.commits,
      diffStat: description.diffStat,
      evidence,
      findings,
      sandbox: run.sandbox,
      tree: work.tree,
      environment,
    });
    await recorder.move(trx, "propose", {
      owner: project.owner,
      set: { owner: null },
      data: { branch: run.branch, head: description.head, commits: description.commits.length },
    });
  });
}

/** The environment the green gate saw, as recorded when it started. */
async function gateEnvironment(context: StepContext, run: Run): Promise<GateEnvironment | undefined> {
  const events = await listEvents(context.project.store.db, { runId: run.id });
  return eventsOfKind(events, EVENTS.gateStarted).findLast((e) => e.data.attempt === run.attempt)?.data
    .environment;
}
