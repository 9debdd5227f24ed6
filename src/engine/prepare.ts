import { GafferError } from "../errors.ts";
import { preflightGate } from "../gate/index.ts";
import { EVENTS, type Run } from "../store/index.ts";
import { createWorkspace, runSetup } from "../workspace/index.ts";
import { confineRun, type RunConfinement } from "./confinement.ts";
import { recordGuardDenials } from "./guard-denials.ts";
import type { StepContext } from "./step-context.ts";
import { claimForRun } from "./warm.ts";
import { recordTamper } from "./workspace-handle.ts";

/**
 * Makes the run's workspace (or checks the one a resumed run already has), confines it (sandbox,
 * git guards, integrity baseline), runs the setup steps in the sandbox, and checks that every gate
 * command can start there, before any agent time is spent.
 */
export async function prepareWorkspace(context: StepContext, run: Run): Promise<RunConfinement> {
  const { project, recorder } = context;
  const dir = project.paths.workspace(run.id);
  const onTamper = recordTamper(recorder);
  const warm = await claimForRun(context, run, onTamper);
  const { workspace, reused } =
    warm ??
    (await createWorkspace({
      project: project.root,
      dir,
      branch: run.branch,
      baseBranch: run.baseBranch,
      baseCommit: run.baseCommit,
      identity: project.config.workspace.identity,
      onTamper,
    }));
  await recorder.event(EVENTS.workspaceCreated, {
    path: dir,
    branch: run.branch,
    reused,
    ...(warm && { warm: true }),
  });
  const { copy, setup } = project.config.workspace;
  context.pristineWorkspace = !reused && copy.length === 0 && setup.length === 0;
  const ready = { ...run, workspace: dir };
  const confinement = await confineRun(project, ready, workspace, recorder, {
    onModelExchange: (exchange) => context.meter?.observe(exchange),
    processes: context.processes,
  });
  try {
    // gaffer's own environment: the sandbox lets only its allowlist and the run's variables through.
    const env = process.env;
    await runSetup({
      project: project.root,
      workspace: dir,
      copy,
      commands: setup,
      env,
      signal: context.signal,
      wrap: confinement.wrap,
      onStep: (step) => recorder.enqueue(EVENTS.workspaceSetup, { ...step }),
    });
    await recorder.flush();
    await recordGuardDenials(context, run, 0, "setup", confinement.guardLog);
    const missing = await preflightGate(project.config.gate.commands, {
      cwd: dir,
      env,
      wrap: confinement.wrap,
    });
    if (missing.length > 0) {
      throw new GafferError(
        "gate-unavailable",
        missing[0] as string,
        "install it, or fix [[gate.commands]] in gaffer.toml",
      );
    }
    await recorder.move(project.store.db, "workspaceReady", {
      owner: project.owner,
      set: { workspace: dir, sandbox: confinement.description },
      data: { path: dir, sandbox: confinement.description },
    });
    return confinement;
  } catch (error) {
    await confinement.close();
    throw error;
  }
}
