import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type Role, sessionName } from "../config/index.ts";
import { ownerToken, recoverInterruptedRuns } from "../engine/index.ts";
import { messageOf } from "../errors.ts";
import {
  addItem,
  appendEvent,
  claimItem,
  eventDef,
  type EventDef,
  type EventName,
  EVENTS,
  expireClaims,
  type FailureCause,
  listClaims,
  listRuns,
  releaseClaim,
  type StoreWatch,
  watchStore,
} from "../store/index.ts";
import { type FactoryDirs, factoryDirs, lastLogLine, logFile, signalChild, startChild } from "./children.ts";
import type { HostedTask } from "./host-protocol.ts";
import { controlFiles, readPaused } from "./control.ts";
import { readRolePrompt } from "./kickoff.ts";
import { cleanUpLeftovers } from "./leftovers.ts";
import type { SupervisorAction } from "./plan-actions.ts";
import { type ChildExit, planExit } from "./plan-exit.ts";
import { type ChildState, dispatches, initialState, type PlanState } from "./plan-state.ts";
import {
  beginShutdown,
  childStarted,
  planTick,
  releaseOwnClaims,
  wantsBacklog,
  watchedItems,
} from "./planner.ts";
import { readFailures } from "./retry.ts";
import { readBacklog, ROLE_LABEL_PREFIX } from "./scheduler.ts";
import { readActivity, type RunActivity } from "./stall.ts";
import type { SupervisorContext } from "./supervisor-context.ts";
import { closeTmuxView, openTmuxView } from "./tmux.ts";
import { WorkerPool } from "./worker-pool.ts";
import { gafferCommand, printable } from "../util/index.ts";

/** How long a child has to stop after SIGTERM before its whole process group is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * A commit to the store wakes the supervisor, but no sooner than this after its last tick began:
 * fifty agents commit many times a second, and each tick reads every run it watches.
 */
const MIN_TICK_GAP_MS = 250;

type StartWorker = Extract<SupervisorAction, { kind: "start-worker" }>;
type NewChild = Pick<ChildState, "name" | "role" | "duty" | "itemId" | "holder">;

/**
 * The factory's supervisor: one per project. It gathers what the store shows, lets the planner
 * decide (planner.ts: leases, dispatch within the caps, heal, stalls, schedules, pause), and
 * performs what it decided: role processes started and stopped, claims and runs changed, events.
 * Builds and reviews are tasks hosted by a pool of worker processes; services and persistent
 * roles are processes of their own. The planner sees each task as a child all the same.
 */
export class Supervisor {
  readonly #context: SupervisorContext;
  readonly #dirs: FactoryDirs;
  readonly #processes = new Map<string, ChildProcess>();
  readonly #pool: WorkerPool;
  #state: PlanState;
  /** Ticks and exits are planned one at a time, each from the state the one before left. */
  #queue: Promise<void> = Promise.resolve();
  /** Ends the wait between two ticks early. */
  #wake: () => void = () => {};
  #woken = false;

  constructor(context: SupervisorContext) {
    this.#context = context;
    this.#dirs = factoryDirs(context.stateDir);
    this.#state = initialState(context.factory, ownerToken(), context.now());
    this.#pool = new WorkerPool({
      dirs: this.#dirs,
      root: context.root,
      slots: context.factory.settings.runsPerWorker,
      ended: (name, code, signal, incident) => this.#childEnded(name, code, signal, incident),
    });
  }

  /** Cleans up after a previous supervisor: orphaned role processes, stale claims, dead runs. */
  async reconcile(): Promise<void> {
    await cleanUpLeftovers(this.#context.db, this.#context.stateDir, "the supervisor restarted");
    await this.#event(EVENTS.supervisorStarted, {
      pid: process.pid,
      roles: this.#context.factory.roles.length,
    });
  }

  /**
   * Ticks until `signal` aborts or the stop file appears, then stops every child gracefully. It
   * ticks every `tickMs`, sooner when a task ends, the forge brings news or another process
   * commits to the store (a new item, a released claim, a proposal to review).
   */
  async run(signal: AbortSignal, tickMs = 500): Promise<void> {
    const { stop } = controlFiles(this.#context.stateDir);
    const commits = watchStore(this.#context.database);
    if (this.#context.factory.roles.some((role) => role.enabled && dispatches(role))) this.#pool.prestart();
    try {
      // A project whose .gaffer/ was removed has nothing left to supervise.
      while (!signal.aborted && !existsSync(stop) && existsSync(this.#context.stateDir)) {
        const started = this.#context.now();
        this.#woken = false;
        // One bad tick (a store busy past its timeout, say) must not take the factory down.
        await this.tick(started).catch((error: unknown) => this.#reportError({ error: messageOf(error) }));
        if (!this.#woken) await this.#pause(tickMs, started, commits, signal);
      }
    } finally {
      commits.close();
    }
    await this.shutdown();
  }

  /**
   * Ticks now rather than at the next interval: a task ended (its slot is free), the forge
   * brought news (a webhook's issue or review).
   */
  wake(): void {
    this.#woken = true;
    this.#wake();
  }

  /** Waits for the next tick: the interval, a wake, or a commit (kept `MIN_TICK_GAP_MS` apart). */
  async #pause(ms: number, tickStarted: number, commits: StoreWatch, signal: AbortSignal): Promise<void> {
    const woken = new AbortController();
    this.#wake = () => woken.abort();
    const reason = await commits.next(ms, AbortSignal.any([signal, woken.signal]));
    this.#wake = () => {};
    const gap = Math.min(MIN_TICK_GAP_MS, ms) - (this.#context.now() - tickStarted);
    if (reason === "changed" && gap > 0) await sleep(gap, undefined, { signal }).catch(() => {});
  }

  tick(now: number): Promise<void> {
    return this.#serially(async () => {
      if (this.#state.stopping) return;
      const db = this.#context.db;
      const claims = await listClaims(db);
      const paused = readPaused(this.#context.stateDir);
      const backlog = wantsBacklog(this.#state, paused) ? await readBacklog(db) : undefined;
      const activity = new Map<number, RunActivity>();
      for (const itemId of watchedItems(this.#state, claims))
        activity.set(itemId, await readActivity(db, itemId));
      const backendPauses = await this.#context.backendPauses(now);
      const plan = planTick(this.#state, { claims, paused, backlog, activity, backendPauses }, now);
      this.#state = plan.state;
      await this.#performAll(plan.actions, now);
    });
  }

  /** Stops every child: SIGTERM (runs are cancelled, workspaces kept), then SIGKILL after a grace period. */
  async shutdown(): Promise<void> {
    await this.#serially(async () => {
      this.#state = beginShutdown(this.#state);
    });
    for (const child of this.#state.children)
      if (!this.#pool.has(child.name)) this.#signal(child.name, "SIGTERM", child.duty === "service");
    this.#pool.signalAll("SIGTERM");
    const busy = () => this.#state.children.length > 0 || this.#pool.running;
    const deadline = this.#context.now() + STOP_GRACE_MS;
    while (busy() && this.#context.now() < deadline) await sleep(50);
    for (const child of this.#state.children) this.#signal(child.name, "SIGKILL");
    this.#pool.signalAll("SIGKILL");
    while (busy()) await sleep(20);
    const claims = await listClaims(this.#context.db);
    await this.#performAll(releaseOwnClaims(this.#state, claims), this.#context.now());
    const { factory, root } = this.#context;
    if (factory.settings.tmux) {
      for (const role of factory.roles)
        if (role.kind === "persistent") await closeTmuxView(sessionName(factory, role), root);
    }
    await this.#event(EVENTS.supervisorStopped, { pid: process.pid });
  }

  async #performAll(actions: readonly SupervisorAction[], now: number): Promise<void> {
    for (const action of actions) await this.#perform(action, now);
  }

  async #perform(action: SupervisorAction, now: number): Promise<void> {
    const db = this.#context.db;
    switch (action.kind) {
      case "record":
        return this.#event(eventDef(action.type), action.data);
      case "expire-claims":
        await expireClaims(db, now);
        return;
      case "recover-runs":
        await recoverInterruptedRuns(db);
        return;
      case "release-claim":
        return releaseClaim(db, action.itemId, action.holder, action.reason);
      case "start-worker":
        return this.#startWorker(action, now);
      case "start-persistent": {
        const { role, name, holder } = action;
        const argv = gafferCommand("worker", "persistent", "--role", role.name, "--holder", holder);
        return this.#spawn(
          { name, role, duty: "persistent", itemId: undefined, holder: undefined },
          argv,
          now,
        );
      }
      case "start-service": {
        const { role, name, command } = action;
        const argv = ["/bin/sh", "-c", command];
        return this.#spawn({ name, role, duty: "service", itemId: undefined, holder: undefined }, argv, now);
      }
      case "open-view":
        void openTmuxView(action.session, logFile(this.#dirs, action.session), this.#context.root).catch(
          (error: unknown) => this.#reportError({ tmux: String(error) }),
        );
        return;
      case "nudge":
        return this.#signal(action.name, "SIGUSR2");
      case "stop-child": {
        // The process or task itself, not its name: a restart may start another of that name meanwhile.
        const child = this.#processes.get(action.name);
        const task = this.#pool.task(action.name);
        const stop = (signal: NodeJS.Signals) => (child ? signalChild(child, signal) : task?.signal(signal));
        stop("SIGTERM");
        setTimeout(() => stop("SIGKILL"), STOP_GRACE_MS).unref();
        return;
      }
      case "give-up-run": {
        const run = (await listRuns(db, { itemId: action.itemId })).at(-1);
        if (run) await this.#context.giveUpRun(run.id, action.reason);
        return;
      }
      case "settle-vault":
        return this.#context
          .settleVault()
          .catch((error: unknown) => this.#event(EVENTS.supervisorError, { vault: messageOf(error) }));
      default:
        return action satisfies never;
    }
  }

  async #startWorker(action: StartWorker, now: number): Promise<void> {
    const { role, duty, runId, holder } = action;
    const itemId = action.itemId ?? (await this.#fileTaskItem(role, now));
    const claimed = await claimItem(
      this.#context.db,
      {
        itemId,
        role: role.name,
        duty,
        holder,
        leaseMs: this.#context.factory.settings.leaseMs,
        ...(runId !== undefined && { runId }),
      },
      now,
    );
    if (!claimed) return;
    const task: HostedTask = {
      name: action.name,
      duty,
      role: role.name,
      holder,
      itemId,
      ...(runId !== undefined && { runId }),
    };
    const { worker, pid } = this.#pool.start(task);
    this.#started({ name: action.name, role, duty, itemId, holder }, pid, now, worker);
  }

  /** A task role's own item: its prompt, labelled for it alone. */
  async #fileTaskItem(role: Role, now: number): Promise<number> {
    const item = await addItem(this.#context.db, {
      title: `${role.name}: ${new Date(now).toISOString().slice(0, 16).replace("T", " ")}`,
      body: readRolePrompt(role) ?? "",
      labels: [`${ROLE_LABEL_PREFIX}${role.name}`],
      source: `factory:${role.name}`,
    });
    return item.id;
  }

  #spawn(child: NewChild, argv: string[], now: number): void {
    const started = startChild(
      { name: child.name, argv, cwd: this.#context.root },
      this.#dirs,
      (code, signal) => this.#childEnded(child.name, code, signal),
    );
    this.#processes.set(child.name, started);
    this.#started(child, started.pid, now);
  }

  #started(child: NewChild, pid: number | undefined, now: number, worker?: string): void {
    this.#state = childStarted(this.#state, child, now);
    void this.#event(EVENTS.roleStarted, {
      role: child.role.name,
      process: child.name,
      pid: pid ?? null,
      duty: child.duty,
      ...(worker !== undefined && { worker }),
      ...(child.itemId !== undefined && { item: child.itemId }),
    });
  }

  /** A child process exited, or a task ended (or died with its worker). */
  #childEnded(name: string, code: number | null, signal: NodeJS.Signals | null, incident?: string): void {
    this.#processes.delete(name);
    void this.#serially(() => this.#exited(name, code, signal, incident))
      .catch((error: unknown) => this.#reportError({ child: name, error: messageOf(error) }))
      .finally(() => this.wake());
  }

  async #exited(
    name: string,
    code: number | null,
    signal: NodeJS.Signals | null,
    incident: string | undefined,
  ): Promise<void> {
    const child = this.#state.children.find((c) => c.name === name);
    if (!child) return;
    const exit: ChildExit = { name, code, signal, lastLine: "", runFailure: undefined, claims: [], incident };
    // Whatever cannot be read, the process is gone: its exit is planned all the same.
    try {
      exit.lastLine = lastLogLine(this.#dirs, name);
      if (child.duty === "build" && child.itemId !== undefined)
        exit.runFailure = await this.#runFailure(child.itemId);
      exit.claims = await listClaims(this.#context.db);
    } catch (error) {
      await this.#reportError({ child: name, error: messageOf(error) });
    }
    const now = this.#context.now();
    const plan = planExit(this.#state, exit, now);
    this.#state = plan.state;
    await this.#performAll(plan.actions, now);
  }

  /** Who the item's latest run's failure is down to, when that run failed. */
  async #runFailure(itemId: number): Promise<FailureCause | undefined> {
    const run = (await listRuns(this.#context.db, { itemId })).at(-1);
    if (run?.state !== "failed") return undefined;
    return (await readFailures(this.#context.db, [run.id])).get(run.id)?.cause;
  }

  #signal(name: string, signal: NodeJS.Signals, group = false): void {
    const child = this.#processes.get(name);
    if (child) signalChild(child, signal, group);
    else this.#pool.task(name)?.signal(signal);
  }

  #serially(work: () => Promise<void>): Promise<void> {
    const done = this.#queue.then(work);
    this.#queue = done.catch(() => {});
    return done;
  }

  /** A store that cannot take the event (a full disk) still gets the reason into the daemon's log. */
  async #reportError(data: Record<string, string>): Promise<void> {
    await this.#event(EVENTS.supervisorError, data).catch(() =>
      process.stderr.write(`gaffer: supervisor: ${printable(Object.values(data).join(": "))}\n`),
    );
  }

  /** Appends a factory event, under the item (and run) its data names. */
  #event<N extends EventName, P extends object>(def: EventDef<N, P>, data: P): Promise<void> {
    const itemId = "item" in data && typeof data.item === "number" ? data.item : undefined;
    const runId = "run" in data && typeof data.run === "number" ? data.run : undefined;
    return appendEvent(this.#context.db, { itemId, runId }, def, data, this.#context.now());
  }
}
