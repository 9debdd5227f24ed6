import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findProgram } from "../agents/index.ts";
import { type FactoryConfig, loadFactory } from "../config/index.ts";
import { isOwnerAlive, type Project, refillWarmPool } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { ACTIVE_STATES, appendEvent, EVENTS, getRun, listRuns, type RunState } from "../store/index.ts";
import { gafferCommand } from "../util/index.ts";
import { factoryDirs } from "./children.ts";
import { startForgeIntake } from "./forge-intake.ts";
import { cleanUpLeftovers } from "./leftovers.ts";
import {
  type DaemonRecord,
  deadDaemon,
  removeDeadOwnership,
  runningDaemon,
  takeOwnership,
} from "./ownership.ts";
import { controlFiles, readPaused } from "./control.ts";
import { Supervisor } from "./supervisor.ts";
import { supervisorContext } from "./supervisor-context.ts";

/** How often `gaffer up` refreshes the warm clones (`[workspace] warm`) when the base moved. */
const WARM_REFILL_MS = 10_000;

/** The factory of a project, or a one-line error when it has no roles. */
export function factoryOf(project: Pick<Project, "root" | "config">): FactoryConfig {
  const factory = loadFactory(project.root, project.config);
  if (factory.roles.length === 0) {
    throw new GafferError(
      "config-invalid",
      `${project.config.file ?? "gaffer.toml"}: no roles, so there is no factory to start`,
      'add e.g. [roles.builder] kind = "loop" to gaffer.toml (docs/FACTORY.md), or keep an agents.toml here',
    );
  }
  return factory;
}

/**
 * Runs the supervisor in this process until `signal` aborts or the stop file appears: takes the
 * project's ownership (refusing a second one), cleans up after a previous supervisor, ticks.
 */
export async function supervise(project: Project, signal: AbortSignal, tickMs?: number): Promise<void> {
  const factory = factoryOf(project);
  const release = takeOwnership(project.root, project.paths.stateDir, factory.sessionPrefix);
  try {
    rmSync(controlFiles(project.paths.stateDir).stop, { force: true });
    const supervisor = new Supervisor(supervisorContext(project, factory));
    await supervisor.reconcile();
    const tracker = project.config.tracker;
    const stopIntake = new AbortController();
    const intake =
      tracker &&
      (await startForgeIntake(project.store.db, tracker, stopIntake.signal, process.env, {
        project,
        synced: () => supervisor.wake(),
      }));
    // Warm clones follow the base branch even while no run takes them (a no-op when the pool is full).
    const warm =
      project.config.workspace.warm > 0
        ? setInterval(() => void refillWarmPool(project).catch(() => {}), WARM_REFILL_MS)
        : undefined;
    try {
      await supervisor.run(signal, tickMs);
    } finally {
      clearInterval(warm);
      stopIntake.abort();
      await intake?.done;
    }
  } finally {
    release();
  }
}

/**
 * Starts the supervisor as a background process (`gaffer supervise`, with `superviseArgs`) and
 * waits until it owns the project. If it fails to come up, its first error line is the error.
 */
export async function startDaemon(
  project: Project,
  superviseArgs: readonly string[] = [],
): Promise<DaemonRecord> {
  const factory = factoryOf(project);
  if (factory.settings.tmux && !(await findProgram("tmux", { cwd: project.root, env: process.env }))) {
    throw new GafferError(
      "agent-unavailable",
      `${factory.file ?? "gaffer.toml"}: [factory] tmux = true, but tmux is not installed`,
      "install tmux (apt-get install tmux), or set tmux = false",
    );
  }
  const running = runningDaemon(project.paths.stateDir);
  if (running) {
    throw new GafferError(
      "daemon-running",
      `gaffer is already up for ${project.root} (pid ${running.pid})`,
      "stop it with `gaffer down`",
    );
  }
  const { logs } = factoryDirs(project.paths.stateDir);
  mkdirSync(logs, { recursive: true });
  const logFile = join(logs, "supervisor.log");
  const log = openSync(logFile, "a");
  const start = readFileSync(logFile).length;
  const [program, ...args] = gafferCommand("supervise", ...superviseArgs) as [string, ...string[]];
  const child = spawn(program, args, { cwd: project.root, detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const record = runningDaemon(project.paths.stateDir);
    if (record && record.pid === child.pid) return record;
    if (exited) break;
    await sleep(50);
  }
  const said = readFileSync(logFile).subarray(start).toString("utf8").trim().split("\n").at(-1) ?? "";
  throw new GafferError(
    "daemon-running",
    `the supervisor did not come up${said ? `: ${said.replace(/^gaffer: /, "")}` : ""}`,
    `see ${logFile}; factory: ${factory.roles.length} roles`,
  );
}

export interface StopResult {
  /** The supervisor that was stopped; undefined when none was running. */
  stopped: DaemonRecord | undefined;
  /** A supervisor that had died without going down (killed, crashed): its record, now removed. */
  died: DaemonRecord | undefined;
  /** Role processes that outlived their supervisor and were killed. */
  killed: number;
  /** The runs that were at work and no longer are, each with the state it was left in. */
  ended: { runId: number; itemId: number; state: RunState }[];
  /** Claims given back because their holder was gone. */
  released: number;
}

/**
 * Stops the supervisor gracefully (it cancels its runs, keeping their workspaces), then cleans up
 * whatever is left, also after a supervisor that died: role processes are killed, the runs they
 * worked marked interrupted, their claims given back, the dead supervisor's records removed. The
 * result says how each run that was at work ended up.
 */
export async function stopDaemon(project: Project, timeoutMs = 60_000): Promise<StopResult> {
  const stateDir = project.paths.stateDir;
  const db = project.store.db;
  const working = await listRuns(db, { states: ACTIVE_STATES });
  const record = runningDaemon(stateDir);
  const died = record ? undefined : deadDaemon(stateDir);
  if (record) await stopSupervisor(record, timeoutMs);
  const leftovers = await cleanUpLeftovers(project.store.db, project.paths.stateDir, "the factory went down");
  removeDeadOwnership(stateDir);
  const ended: StopResult["ended"] = [];
  for (const run of working) {
    const { state } = await getRun(db, run.id);
    if (!ACTIVE_STATES.includes(state)) ended.push({ runId: run.id, itemId: run.itemId, state });
  }
  return { stopped: record, died, killed: leftovers.killed, ended, released: leftovers.released };
}

async function stopSupervisor(record: DaemonRecord, timeoutMs: number): Promise<void> {
  process.kill(record.pid, "SIGTERM");
  for (const deadline = Date.now() + timeoutMs; isOwnerAlive(record.owner) && Date.now() < deadline;)
    await sleep(50);
  if (!isOwnerAlive(record.owner)) return;
  process.kill(record.pid, "SIGKILL");
  for (const deadline = Date.now() + 10_000; isOwnerAlive(record.owner) && Date.now() < deadline;)
    await sleep(20);
}

/** The kill switch: no new work is dispatched while paused; running work goes on. */
export async function setPaused(project: Project, paused: boolean): Promise<boolean> {
  const file = controlFiles(project.paths.stateDir).paused;
  const was = readPaused(project.paths.stateDir);
  if (paused) {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, `${new Date().toISOString()}\n`);
  } else rmSync(file, { force: true });
  if (was !== paused)
    await appendEvent(project.store.db, {}, paused ? EVENTS.factoryPaused : EVENTS.factoryResumed, {});
  return was;
}
