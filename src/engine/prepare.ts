import { rm } from "node:fs/promises";
import { GafferError } from "../errors.ts";
import { preflightGate } from "../gate/index.ts";
import { EVENTS, type Run } from "../store/index.ts";
import { createWorkspace, removeWorkspace, runSetup } from "../workspace/index.ts";
import { confineRun, type RunConfinement, stageConfinement } from "./confinement.ts";
import type { CommandWrapper } from "../util/index.ts";
import { recordGuardDenials } from "./guard-denials.ts";
import type { StepContext } from "./step-context.ts";
import { type WarmWorkspace, warmWorkspace } from "./warm.ts";
import { conventionsOf } from "./agent-step.ts";
import { baseWork } from "./work.ts";
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
  // Made while the workspace is: neither needs the other.
  const staged = stageConfinement(project, { ...run, workspace: dir });
  staged.catch(() => undefined);
  const warm = await warmWorkspace(context, run, onTamper);

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
  // What the first brief needs of the base, read while the workspace is confined.
  context.conventions ??= conventionsOf(project, run);
  context.conventions.catch(() => undefined);
  if (!reused && copy.length === 0 && setup.length === 0) {
    context.pristineWorkspace = baseWork(project, run);
    context.pristineWorkspace.catch(() => undefined);
  }
  const ready = { ...run, workspace: dir };

  // gaffer's own environment: the sandbox lets only its allowlist and the run's variables through.
  const env = process.env;
  const preflight = (wrap: CommandWrapper) =>
    preflightGate(project.config.gate.commands, { cwd: dir, env, wrap });
  let missing: Promise<string[]> | undefined;
  const confinement = await confineRun(project, ready, workspace, recorder, {
    staged,
    // With no setup step, the gate's programs are looked up while the baseline is taken.
    ...(context.pristineWorkspace !== undefined && {
      alongsideBaseline: (wrap: CommandWrapper) => (missing = preflight(wrap)),
    }),
    onModelExchange: (exchange) => context.meter?.observe(exchange),
    processes: context.processes,
  });

  let changed: string | undefined;
  try {
    // Setup steps write in the work tree: a warm clone's check must be over before they start.
    if (copy.length > 0 || setup.length > 0) changed = await warmTreeChange(warm);
    if (changed === undefined) {
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
      const absent = await (missing ?? preflight(confinement.wrap));
      if (absent.length > 0) {
        throw new GafferError(
          "gate-unavailable",
          absent[0] as string,
          "install it, or fix [[gate.commands]] in gaffer.toml",
        );
      }
      changed = await warmTreeChange(warm);
    }
    if (changed === undefined) {
      await recorder.move(project.store.db, "workspaceReady", {
        owner: project.owner,
        set: { workspace: dir, sandbox: confinement.description },
        data: { path: dir, sandbox: confinement.description },
      });
      return confinement;
    }
  } catch (error) {
    await confinement.close();
    throw error;
  }
  // Not the clone gaffer made: given up before any agent saw it, and the run starts afresh.
  await confinement.close();
  await removeWorkspace(workspace);
  await rm(confinement.baselinePath, { force: true });
  await recorder.event(EVENTS.workspaceWarmDiscarded, { clone: dir, reason: changed });
  return prepareWorkspace(context, run);
}

/** Why a warm workspace's work tree is not as gaffer made it; undefined when it is, or it is not warm. */
function warmTreeChange(warm: WarmWorkspace | undefined): Promise<string | undefined> {
  return (warm?.treeChecked ?? Promise.resolve()).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}
