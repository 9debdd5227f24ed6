import { openProject } from "../../engine/index.ts";
import { EXIT, GafferError } from "../../errors.ts";
import {
  checkReady,
  factoryOf,
  type StopResult,
  runPersistentWorker,
  runWorkerHost,
  setPaused,
  startDaemon,
  stopDaemon,
  supervise,
  tellRole,
} from "../../factory/index.ts";
import { plural, print, printJson } from "../output.ts";
import { bindOf, dashboardArgs, type DashboardOptions, startAndSay } from "./serve.ts";

type WithDashboard = Partial<DashboardOptions> & { dashboard?: boolean };

/** The dashboard's options when --dashboard was given (commander fills in host and port defaults). */
function dashboardOf(options: WithDashboard): DashboardOptions | undefined {
  if (!options.dashboard) return undefined;
  const chosen = { ...options, host: options.host ?? "127.0.0.1", port: options.port ?? "4848" };
  bindOf(chosen);
  return chosen;
}

export async function up(
  cwd: string,
  options: { foreground?: boolean; json?: boolean } & WithDashboard,
): Promise<number> {
  const dashboard = dashboardOf(options);
  const project = await openProject(cwd);
  try {
    const factory = factoryOf(project);
    // A role reported running must be able to start its agent: refuse here, not in a log later.
    await checkReady(project.root, project.config, factory);
    if (options.foreground) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      print(`gaffer is up: ${plural(factory.roles.length, "role")}, in the foreground (Ctrl-C stops it)`);
      await superviseServing(project, controller.signal, dashboard);
      return EXIT.proposal;
    }
    const record = await startDaemon(project, dashboard ? dashboardArgs(dashboard) : []);
    if (options.json) printJson({ up: true, ...record, roles: factory.roles.length });
    else {
      print(`gaffer is up: ${plural(factory.roles.length, "role")} (supervisor pid ${record.pid})`);
      if (dashboard)
        print(`  dashboard: http${dashboard.tlsCert ? "s" : ""}://${dashboard.host}:${dashboard.port}/`);
      print("  watch: gaffer status --watch    pause: gaffer pause    stop: gaffer down");
    }
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

export async function down(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProject(cwd);
  try {
    const result = await stopDaemon(project);
    if (options.json) printJson({ ...result, stopped: result.stopped ?? null, died: result.died ?? null });
    else for (const line of describeStop(result)) print(line);
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

/** What `gaffer down` did, as it happened: who was stopped or found dead, and where each run was left. */
function describeStop(result: StopResult): string[] {
  const { stopped, died, killed, ended, released } = result;
  if (!stopped && !died && killed === 0 && ended.length === 0 && released === 0)
    return ["gaffer is not up here: nothing to stop"];
  const parts = [
    stopped
      ? `supervisor pid ${stopped.pid} stopped`
      : died
        ? `its supervisor (pid ${died.pid}) had died`
        : "no supervisor was running",
  ];
  if (killed > 0) parts.push(`${plural(killed, "leftover process")} killed`);
  const states = [...new Set(ended.map((run) => run.state))];
  for (const state of states) {
    const ids = ended.filter((run) => run.state === state).map((run) => run.runId);
    parts.push(`${ids.length === 1 ? "run" : "runs"} ${ids.join(", ")} ${state}`);
  }
  if (released > 0) parts.push(`${plural(released, "claim")} given back`);
  const lines = [`gaffer is down: ${parts.join("; ")}`];
  if (ended.some((run) => run.state === "cancelled" || run.state === "interrupted"))
    lines.push("  workspaces kept; resume: gaffer up, or gaffer run <item> --resume");
  return lines;
}

export async function pause(cwd: string): Promise<number> {
  return switchPaused(cwd, true);
}

export async function resume(cwd: string): Promise<number> {
  return switchPaused(cwd, false);
}

async function switchPaused(cwd: string, paused: boolean): Promise<number> {
  const project = await openProject(cwd);
  try {
    const was = await setPaused(project, paused);
    if (paused)
      print(was ? "already paused" : "paused: no new work starts; running work goes on (gaffer resume)");
    else print(was ? "resumed: new work starts again" : "not paused");
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

/** Supervises until `signal`, serving the dashboard meanwhile when asked to. */
async function superviseServing(
  project: Awaited<ReturnType<typeof openProject>>,
  signal: AbortSignal,
  dashboard: DashboardOptions | undefined,
): Promise<void> {
  const served = dashboard && (await startAndSay(project, dashboard));
  try {
    await supervise(project, signal);
  } finally {
    await served?.close();
  }
}

/** The supervisor's process, started by `gaffer up` (serving the dashboard with --dashboard). */
export async function superviseCommand(cwd: string, options: WithDashboard): Promise<number> {
  const dashboard = dashboardOf(options);
  const project = await openProject(cwd);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    await superviseServing(project, controller.signal, dashboard);
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}

/** One role process, started by the supervisor. */
/** A role process the supervisor starts: a worker hosting builds and reviews, or a persistent role. */
export async function worker(
  cwd: string,
  duty: string,
  options: { role?: string; holder?: string },
): Promise<number> {
  if (duty === "host") return runWorkerHost(cwd);
  if (duty !== "persistent")
    throw new GafferError("usage", `gaffer worker: unknown duty "${duty}"`, "host or persistent");
  if (options.role === undefined || options.holder === undefined)
    throw new GafferError("usage", "gaffer worker persistent needs --role and --holder");
  return runPersistentWorker(cwd, options.role, options.holder);
}

/** Sends a message to a role: an item only that role takes (a persistent role works it in its session). */
export async function tell(
  cwd: string,
  roleName: string,
  words: string[],
  options: { json?: boolean },
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const item = await tellRole(project, roleName, words.join(" "));
    if (options.json) printJson(item);
    else print(`told ${roleName}: item #${item.id}`);
    return EXIT.proposal;
  } finally {
    await project.close();
  }
}
