import { GafferError } from "../errors.ts";
import { failureSignature, type GateExecution, type GateOutcome, runGate } from "../gate/index.ts";
import { EVENTS, inTransaction, recordGateResult, type Run, updateAttempt } from "../store/index.ts";
import { gateOutputs, prepareGate } from "./gate-checkout.ts";
import { refuseKilledGate } from "./gate-killed.ts";
import { recordGuardDenials } from "./guard-denials.ts";
import type { StepContext } from "./step-context.ts";
import { gateVerdict } from "./verdict.ts";
import { inspectWork } from "./verify.ts";
import { keptWork, recordRunWork, runEvidence } from "./work.ts";

/**
 * gaffer runs the gate itself; its exit codes are the only evidence. It runs on a fresh checkout
 * of the attempt's recorded work — the very tree the checks read and a proposal names — never in
 * the agent's workspace. The verdict, every execution, the tree and, on a missed goal, the
 * compressed failure for the next attempt are stored in one transaction. The gate's events say
 * what the gate did; the attempt's state says whether that met the run's goal (see verdict.ts).
 */
export async function runGateStep(context: StepContext, run: Run, attempt: number): Promise<void> {
  const { project, recorder, signal } = context;
  const gate = project.config.gate;
  const work = (await keptWork(context, run, attempt)) ?? (await recordRunWork(context, run, attempt));
  // The checks that read only this work's objects run alongside its gate; a proposal takes their answers.
  context.inspection = inspectWork(context, run, await runEvidence(context, run), work);
  const prepared = await prepareGate(context, run, attempt, work);
  let outcome: GateOutcome;
  try {
    await recorder.event(EVENTS.gateStarted, {
      attempt,
      steps: gate.commands.map((c) => c.name),
      ...(gate.parallel && { parallel: true as const }),
      tree: work.tree,
      environment: prepared.environment,
    });
    outcome = await runGate(gate.commands, {
      cwd: prepared.checkout.dir,
      env: process.env,
      logDir: project.paths.runDir(run.id),
      attempt,
      storeOutputBytes: gate.outputBytes,
      signal,
      parallel: gate.parallel,
      wrap: prepared.gate.sandbox.wrap,
      onStart: (name) => recorder.enqueue(EVENTS.gateStepStarted, { attempt, name }),
      onFinish: (execution) => recorder.enqueue(EVENTS.gateStepFinished, { attempt, ...summary(execution) }),
    });
  } finally {
    await prepared.gate.sandbox.close();
  }
  await recorder.flush();
  await recordGuardDenials(context, run, attempt, "gate");
  if (signal.aborted) return;
  const killed = outcome.executions.find((e) => e.killedFromOutside);
  if (killed) await refuseKilledGate(context, run, attempt, killed);
  await recorder.event(EVENTS.gateOutputs, {
    attempt,
    tree: work.tree,
    ...(await gateOutputs(context, run, prepared.checkout)),
  });

  const { met, feedback, failureHash } = gateVerdict(outcome, context.goal ?? "green", gate.feedbackBytes);
  const gateHash = outcome.passed ? undefined : (failureHash ?? failureSignature(outcome.executions));
  await inTransaction(project.store.db, async (trx) => {
    for (const execution of outcome.executions) {
      await recordGateResult(trx, {
        runId: run.id,
        attempt,
        name: execution.name,
        command: execution.command,
        exitCode: execution.exitCode,
        signal: execution.signal,
        timedOut: execution.timedOut,
        durationMs: execution.durationMs,
        output: execution.output,
        outputBytes: execution.outputBytes,
        outputSha256: execution.outputSha256,
        logPath: execution.logPath,
      });
    }
    await updateAttempt(trx, run.id, attempt, {
      state: met ? "green" : "red",
      work: { commit: work.commit, tree: work.tree },
      ...(failureHash !== undefined && { failureHash }),
      ...(feedback !== undefined && { feedback }),
    });
    await recorder.event(
      outcome.passed ? EVENTS.gatePassed : EVENTS.gateFailed,
      { attempt, tree: work.tree, ...(gateHash && { failureHash: gateHash }) },
      trx,
    );
  });
  const unavailable = outcome.executions.find((e) => e.notFound);
  if (unavailable) {
    throw new GafferError(
      "gate-unavailable",
      `gate step "${unavailable.name}" could not run: ${unavailable.command} (command not found)`,
      "install the tool, or fix [[gate.commands]] in gaffer.toml",
    );
  }
}

function summary(execution: GateExecution) {
  return {
    name: execution.name,
    exitCode: execution.exitCode,
    timedOut: execution.timedOut,
    durationMs: execution.durationMs,
    passed: execution.passed,
  };
}
