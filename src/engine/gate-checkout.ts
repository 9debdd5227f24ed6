import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { EVENTS, type GateEnvironment, type Run } from "../store/index.ts";
import {
  type Checkout,
  checkoutChanges,
  checkoutCommit,
  runSetup,
  type SetupStep,
  type WorkRecord,
} from "../workspace/index.ts";
import type { GateSandbox } from "./confinement.ts";
import type { StepContext } from "./step-context.ts";
import { runEvidence } from "./work.ts";

/** Where a gate runs: a fresh checkout of the recorded work, its sandbox, and what it saw. */
export interface PreparedGate {
  checkout: Checkout;
  gate: GateSandbox;
  environment: GateEnvironment;
}

/** Files the gate left in its checkout: never part of the proposal, listed on the run. */
export interface GateOutputs {
  /** New files, ignored ones aside (at most MAX_LISTED). */
  created: string[];
  /** Tracked files the gate changed or deleted (at most MAX_LISTED). */
  changed: string[];
  truncated: boolean;
}

const MAX_LISTED = 50;

/**
 * Materialises the recorded work's tree into the run's gate directory (nothing of the workspace:
 * no ignored files, no agent-made HOME or /tmp), then runs the project's declared setup there,
 * in a sandbox whose only writable places are that checkout and a fresh HOME and /tmp.
 */
export async function prepareGate(
  context: StepContext,
  run: Run,
  attempt: number,
  work: WorkRecord,
): Promise<PreparedGate> {
  const { project, recorder, confinement } = context;
  if (!confinement) throw new GafferError("run-state", `run ${run.id} has no prepared workspace to gate`);
  const repo = await runEvidence(context, run);
  const checkout = await checkoutCommit(repo, work.commit, project.paths.gate(run.id));
  const gate = confinement.gateSandbox(checkout.dir, [join(repo.gitDir, "objects")]);
  const setup: string[] = [];
  try {
    await runSetup({
      project: project.root,
      workspace: checkout.dir,
      copy: project.config.workspace.copy,
      commands: project.config.workspace.setup,
      env: process.env,
      signal: context.signal,
      wrap: gate.sandbox.wrap,
      onStep: (step) => {
        setup.push(describeStep(step));
        recorder.enqueue(EVENTS.gateSetup, { attempt, ...step });
      },
    });
  } catch (error) {
    await gate.sandbox.close();
    throw error;
  }
  const environment: GateEnvironment = {
    tree: work.tree,
    sandbox: confinement.description,
    passed: gate.passed,
    set: gate.set,
    setup,
    caches: [],
  };
  return { checkout, gate, environment };
}

/** What the gate left behind in its checkout. */
export async function gateOutputs(context: StepContext, run: Run, checkout: Checkout): Promise<GateOutputs> {
  const changes = await checkoutChanges(await runEvidence(context, run), checkout);
  const created = changes.untracked;
  return {
    created: created.slice(0, MAX_LISTED),
    changed: changes.changed.slice(0, MAX_LISTED),
    truncated: created.length > MAX_LISTED || changes.changed.length > MAX_LISTED,
  };
}

function describeStep(step: SetupStep): string {
  if (step.kind === "copied") return `copy ${step.path}`;
  if (step.kind === "missing") return `copy ${step.path} (missing)`;
  return `run ${step.name} (exit ${step.exitCode ?? "none"})`;
}
