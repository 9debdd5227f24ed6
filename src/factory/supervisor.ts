import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type FactoryConfig, type Role, sessionName } from "../config/index.ts";
import { EXIT } from "../errors.ts";
import { giveUpRun, ownerToken, type Project, recoverInterruptedRuns } from "../engine/index.ts";
import {
  addItem,
  appendEvent,
  claimItem,
  type Duty,
  expireClaims,
  listClaims,
  listRuns,
  releaseClaim,
} from "../store/index.ts";
import { nextFire } from "../util/cron.ts";
import { openVault, tick as settleVault } from "../vault/index.ts";
import { printable } from "../util/printable.ts";
import { gafferCommand } from "../util/self.ts";
import { type FactoryDirs, factoryDirs, signalChild, startChild } from "./children.ts";
import { controlFiles, readPaused } from "./control.ts";
import { readRolePrompt } from "./kickoff.ts";
import { cleanUpLeftovers } from "./leftovers.ts";
import { buildable, readBacklog, ROLE_LABEL_PREFIX } from "./scheduler.ts";
import { closeTmuxView, openTmuxView } from "./tmux.ts";
import { stallAction, stallClock, stallReason } from "./stall.ts";
import { WORKER_EXIT } from "./worker.ts";

/** The last line a child wrote to its log: its one-line error. */
function lastLine(file: string): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").at(-1) ?? "";
  } catch {
    return "";
  }
}

/** How often the supervisor settles the vault's ended review windows. */
const VAULT_TICK_MS = 5_000;

/** How long a child has to stop after SIGTERM before its whole process group is killed. */
const STOP_GRACE_MS = 10_000;

interface Child {
  name: string;
  role: Role;
  duty: Duty | "service" | "persistent";
  itemId: number | undefined;
  holder: string | undefined;
  process: ChildProcess;
  startedAt: number;
  /** Set when the supervisor stops it on purpose: what to do once it has exited. */
  ending: "restart" | "give-up" | "shutdown" | undefined;
  reason: string | undefined;
}

/** Per-role health: restarts spent, when the next may start, whether the role was given up. */
interface RoleHealth {
  restarts: number;
  notBefore: number;
  gaveUp: boolean;
  /** Scheduled roles: activations waiting to be dispatched, and the next fire time. */
  activations: number;
  nextFire: number | undefined;
}

/**
 * The factory's supervisor: one per project. Each tick it returns lapsed claims, dispatches ready
 * work to role processes within the concurrency caps, keeps services alive, heals dead processes
 * with backoff and a restart budget, and nudges, restarts or gives up stalled runs.
 */
export class Supervisor {
  readonly #project: Project;
  readonly #factory: FactoryConfig;
  readonly #dirs: FactoryDirs;
  readonly #token = ownerToken();
  readonly #children = new Map<string, Child>();
  readonly #health = new Map<string, RoleHealth>();
  /** Items whose next build is a restart: the stall stage it carries, and the retry time. */
  readonly #carry = new Map<number, { stage: number; notBefore: number }>();
  /** Stall bookkeeping per live build child. */
  readonly #stall = new Map<string, { stage: number; actedAt: number }>();
  /** Items whose worker failed for a reason of the item's own, not dispatched again. */
  readonly #held = new Set<number>();
  readonly #settling = new Set<number>();
  /** Services and persistent roles that died without a heal policy: not started again. */
  readonly #stopped = new Set<string>();
  #sequence = 0;
  #vaultSettledAt = 0;
  #stopping = false;

  constructor(project: Project, factory: FactoryConfig) {
    this.#project = project;
    this.#factory = factory;
    this.#dirs = factoryDirs(project.paths.stateDir);
    const now = Date.now();
    for (const role of factory.roles) {
      this.#health.set(role.name, {
        restarts: 0,
        notBefore: 0,
        gaveUp: false,
        activations: role.kind === "task" && role.schedule === undefined ? 1 : 0,
        nextFire: role.schedule ? nextFire(role.schedule, new Date(now))?.getTime() : undefined,
      });
    }
  }

  /** Cleans up after a previous supervisor: orphaned role processes, stale claims, dead runs. */
  async reconcile(): Promise<void> {
    await cleanUpLeftovers(this.#project, "the supervisor restarted");
    await this.#event("supervisor.started", { pid: process.pid, roles: this.#factory.roles.length });
  }

  /** Ticks until `signal` aborts or the stop file appears, then stops every child gracefully. */
  async run(signal: AbortSignal, tickMs = 500): Promise<void> {
    const { stop } = controlFiles(this.#project.paths.stateDir);
    // A project whose .gaffer/ was removed has nothing left to supervise.
    while (!signal.aborted && !existsSync(stop) && existsSync(this.#project.paths.stateDir)) {
      // One bad tick (a store busy past its timeout, say) must not take the factory down.
      await this.tick(Date.now()).catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // A store that cannot take the event (a full disk) still gets the reason into the daemon's log.
        await this.#event("supervisor.error", { error: message }).catch(() =>
          process.stderr.write(`gaffer: supervisor: ${printable(message)}\n`),
        );
      });
      await sleep(tickMs, undefined, { signal }).catch(() => {});
    }
    await this.shutdown();
  }

  async tick(now: number): Promise<void> {
    if (this.#stopping) return;
    const db = this.#project.store.db;
    const lapsed = await expireClaims(db, now);
    // A lapsed claim's run belonged to a process that is gone: mark it interrupted, so it resumes.
    if (lapsed.length > 0) await recoverInterruptedRuns(db);
    for (const claim of lapsed) this.#carry.delete(claim.itemId);
    await this.#checkStalls(now);
    this.#fireSchedules(now);
    this.#keepAlive(now);
    await this.#settleVault(now);
    if (!readPaused(this.#project.paths.stateDir)) await this.#dispatch(now);
  }

  /** Stops every child: SIGTERM (runs are cancelled, workspaces kept), then SIGKILL after a grace period. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    const children = [...this.#children.values()];
    for (const child of children) {
      child.ending = "shutdown";
      signalChild(child.process, "SIGTERM", child.duty === "service");
    }
    const deadline = Date.now() + STOP_GRACE_MS;
    while (this.#children.size > 0 && Date.now() < deadline) await sleep(50);
    for (const child of this.#children.values()) signalChild(child.process, "SIGKILL");
    while (this.#children.size > 0) await sleep(20);
    for (const claim of await listClaims(this.#project.store.db)) {
      if (claim.holder.startsWith(`${this.#token}/`))
        await releaseClaim(this.#project.store.db, claim.itemId, claim.holder, "the factory went down");
    }
    if (this.#factory.settings.tmux) {
      for (const role of this.#factory.roles)
        if (role.kind === "persistent")
          await closeTmuxView(sessionName(this.#factory, role), this.#project.root);
    }
    await this.#event("supervisor.stopped", { pid: process.pid });
  }

  async #dispatch(now: number): Promise<void> {
    const { settings } = this.#factory;
    const busy = () => [...this.#children.values()].filter((c) => c.duty !== "service");
    if (busy().length >= settings.maxConcurrency) return;
    const backlog = await readBacklog(this.#project.store.db);
    const taken = new Set<number>();
    for (const role of this.#factory.roles) {
      if (!this.#canStart(role, now) || role.kind === "service" || role.kind === "persistent") continue;
      const health = this.#health.get(role.name) as RoleHealth;
      const scheduled = role.schedule !== undefined || role.kind === "task";
      while (this.#hasRoom(role, busy()) && (!scheduled || health.activations > 0)) {
        const started = role.reviews
          ? await this.#startReview(role, backlog.awaitingReview, taken, now)
          : await this.#startBuild(role, backlog, taken, now);
        if (!started) break;
        if (scheduled) health.activations -= 1;
      }
    }
  }

  async #startBuild(
    role: Role,
    backlog: Awaited<ReturnType<typeof readBacklog>>,
    taken: Set<number>,
    now: number,
  ): Promise<boolean> {
    const { maxPendingReview } = this.#factory.settings;
    const pressure = maxPendingReview > 0 && backlog.pendingReviews >= maxPendingReview;
    let entry = backlog.unclaimed.find((candidate) => {
      if (taken.has(candidate.item.id) || this.#held.has(candidate.item.id)) return false;
      // A child that released its claim may not have exited yet.
      if (this.#working(candidate.item.id)) return false;
      if (!buildable(candidate, role)) return false;
      if ((this.#carry.get(candidate.item.id)?.notBefore ?? 0) > now) return false;
      // Backpressure holds back new work only; resuming and revising go on.
      return !(pressure && candidate.latest === undefined);
    });
    if (!entry && (role.kind === "task" || role.schedule !== undefined)) {
      entry = { item: await this.#itemForTask(role), latest: undefined };
    }
    if (!entry) return false;
    taken.add(entry.item.id);
    return this.#startWorker(role, "build", entry.item.id, undefined);
  }

  async #startReview(
    role: Role,
    awaiting: { id: number; item_id: number }[],
    taken: Set<number>,
    now: number,
  ) {
    const run = awaiting.find(
      (r) =>
        !taken.has(r.item_id) &&
        !this.#held.has(r.item_id) &&
        (this.#carry.get(r.item_id)?.notBefore ?? 0) <= now,
    );
    if (!run) return false;
    taken.add(run.item_id);
    return this.#startWorker(role, "review", run.item_id, run.id);
  }

  /** A task role's own item: its prompt, labelled for it alone. */
  async #itemForTask(role: Role) {
    const body = readRolePrompt(role) ?? "";
    return addItem(this.#project.store.db, {
      title: `${role.name}: ${new Date().toISOString().slice(0, 16).replace("T", " ")}`,
      body,
      labels: [`${ROLE_LABEL_PREFIX}${role.name}`],
      source: `factory:${role.name}`,
    });
  }

  async #startWorker(role: Role, duty: Duty, itemId: number, runId: number | undefined): Promise<boolean> {
    const name = this.#slotName(role);
    const holder = `${this.#token}/${name}/${++this.#sequence}`;
    const claimed = await claimItem(this.#project.store.db, {
      itemId,
      role: role.name,
      duty,
      holder,
      leaseMs: this.#factory.settings.leaseMs,
      ...(runId !== undefined && { runId }),
    });
    if (!claimed) return false;
    const argv = gafferCommand(
      "worker",
      duty,
      "--role",
      role.name,
      "--item",
      String(itemId),
      "--holder",
      holder,
      ...(runId !== undefined ? ["--run", String(runId)] : []),
    );
    this.#spawn({ name, role, duty, itemId, holder, argv });
    this.#stall.set(name, { stage: this.#carry.get(itemId)?.stage ?? 0, actedAt: Date.now() });
    return true;
  }

  /** Services and persistent roles run all the time: each has one process, started when it has none. */
  #keepAlive(now: number): void {
    for (const role of this.#factory.roles) {
      if (role.kind !== "service" && role.kind !== "persistent") continue;
      if (!this.#canStart(role, now) || this.#stopped.has(role.name)) continue;
      const name = sessionName(this.#factory, role);
      if (this.#children.has(name)) continue;
      if (role.kind === "persistent") {
        if (this.#factory.settings.tmux) void this.#openView(name);
        const argv = gafferCommand(
          "worker",
          "persistent",
          "--role",
          role.name,
          "--holder",
          `${this.#token}/${name}`,
        );
        this.#spawn({ name, role, duty: "persistent", itemId: undefined, holder: undefined, argv });
      } else if (role.command !== undefined) {
        const argv = ["/bin/sh", "-c", role.command];
        this.#spawn({ name, role, duty: "service", itemId: undefined, holder: undefined, argv });
      } else {
        // An agents.toml service that its engine ran from its own code: nothing here to start.
        this.#stopped.add(role.name);
        void this.#event("role.skipped", { role: role.name, reason: "a service with no command" });
      }
    }
  }

  #spawn(spec: Omit<Child, "process" | "startedAt" | "ending" | "reason"> & { argv: string[] }): void {
    const started = startChild(
      { name: spec.name, argv: spec.argv, cwd: this.#project.root },
      this.#dirs,
      (code, signal) => {
        this.#children.delete(spec.name);
        this.#stall.delete(spec.name);
        // Until its exit is dealt with (a give-up, say), its item is not dispatched again.
        if (child.itemId !== undefined) this.#settling.add(child.itemId);
        void this.#exited(child, code, signal)
          .catch((error: unknown) =>
            this.#event("supervisor.error", { child: child.name, error: String(error) }),
          )
          .finally(() => {
            if (child.itemId !== undefined) this.#settling.delete(child.itemId);
          });
      },
    );
    // Its exit callback above always runs later, once `child` is set.
    const child: Child = {
      ...spec,
      process: started,
      startedAt: Date.now(),
      ending: undefined,
      reason: undefined,
    };
    this.#children.set(spec.name, child);
    void this.#event("role.started", {
      role: spec.role.name,
      process: spec.name,
      pid: started.pid ?? null,
      duty: spec.duty,
      ...(spec.itemId !== undefined && { item: spec.itemId }),
    });
  }

  async #exited(child: Child, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const db = this.#project.store.db;
    const data = { role: child.role.name, process: child.name, code, signal, duty: child.duty };
    await this.#event("role.exited", { ...data, ...(child.itemId !== undefined && { item: child.itemId }) });
    if (child.ending === "shutdown" || this.#stopping) return;
    const itemId = child.itemId;
    if (child.ending === "restart") return;
    if (child.ending === "give-up" && itemId !== undefined) {
      this.#carry.delete(itemId);
      const run = (await listRuns(db, { itemId })).at(-1);
      if (run) await giveUpRun(this.#project, run.id, `stall: ${child.reason ?? "no progress"}`);
      return;
    }
    const clean =
      code === WORKER_EXIT.done || code === WORKER_EXIT.cancelled || code === WORKER_EXIT.claimLost;
    const alwaysOn = child.duty === "service" || child.duty === "persistent";
    if (!alwaysOn && clean) {
      if (itemId !== undefined) this.#carry.delete(itemId);
      return;
    }
    const crashed = signal !== null || code === null || code === EXIT.software;
    if (alwaysOn || crashed || itemId === undefined) {
      await this.#died(child);
      return;
    }
    // The process worked but the item cannot be worked (a bad scenario, a missing agent): it is held
    // back until the factory restarts, and the role goes on with other items.
    this.#held.add(itemId);
    await this.#event("item.held", {
      role: child.role.name,
      item: itemId,
      code,
      error: lastLine(join(this.#dirs.logs, `${child.name}.log`)),
    });
  }

  /** A role process ended on its own: heal it (with backoff, within the budget) or let it be. */
  async #died(child: Child): Promise<void> {
    const db = this.#project.store.db;
    const health = this.#health.get(child.role.name) as RoleHealth;
    const heals = child.role.policy === "heal" || child.role.policy === "heal+stall";
    if (!heals) {
      // Its claim lapses on its own; then the item, and its workspace, go back to the queue.
      if (child.duty === "service" || child.duty === "persistent") this.#stopped.add(child.role.name);
      await this.#event("role.died", { role: child.role.name, process: child.name, healed: false });
      return;
    }
    health.restarts += 1;
    const { restartBudget, restartBackoffMs } = this.#factory.settings;
    if (health.restarts > restartBudget) {
      health.gaveUp = true;
      await this.#event("role.gave-up", { role: child.role.name, restarts: health.restarts - 1 });
      return;
    }
    const delay = restartBackoffMs * 2 ** (health.restarts - 1);
    health.notBefore = Date.now() + delay;
    if (child.duty === "persistent") {
      await recoverInterruptedRuns(db);
      for (const claim of await listClaims(db)) {
        if (claim.holder.startsWith(`${this.#token}/${child.name}/`))
          await releaseClaim(db, claim.itemId, claim.holder, "its process died");
      }
    } else if (child.itemId !== undefined && child.holder !== undefined) {
      await recoverInterruptedRuns(db);
      await releaseClaim(db, child.itemId, child.holder, "its process died");
      this.#carry.set(child.itemId, { stage: this.#carry.get(child.itemId)?.stage ?? 0, notBefore: 0 });
    }
    await this.#event("role.healing", {
      role: child.role.name,
      process: child.name,
      restart: health.restarts,
      delayMs: delay,
      ...(child.itemId !== undefined && { item: child.itemId }),
    });
  }

  async #checkStalls(now: number): Promise<void> {
    const limits = {
      activityMs: this.#factory.settings.stallActivityMs,
      progressMs: this.#factory.settings.stallProgressMs,
    };
    for (const child of this.#children.values()) {
      const stalls = child.role.policy === "stall" || child.role.policy === "heal+stall";
      if (!stalls || child.ending) continue;
      if (child.duty === "persistent") await this.#followPersistent(child, now);
      if (child.duty !== "build" && child.duty !== "persistent") continue;
      if (child.itemId === undefined) continue;
      const state = this.#stall.get(child.name);
      if (!state) continue;
      const clock = await stallClock(this.#project.store.db, child.itemId, child.startedAt, state);
      const action = stallAction(clock, limits, now);
      if (!action) continue;
      const reason = stallReason(clock, limits, now);
      state.stage += 1;
      state.actedAt = now;
      await this.#event(
        `stall.${action === "nudge" ? "nudged" : action === "restart" ? "restarted" : "gave-up"}`,
        {
          role: child.role.name,
          process: child.name,
          item: child.itemId,
          reason,
        },
      );
      if (action === "nudge") {
        child.process.kill("SIGUSR2");
        continue;
      }
      child.ending = action;
      child.reason = reason;
      // A restarted run resumes at once, one stall stage further on.
      if (action === "restart") this.#carry.set(child.itemId, { stage: state.stage, notBefore: 0 });
      this.#stopChild(child);
    }
  }

  /**
   * A persistent role's process works one item after another: its stall clock follows the item it
   * holds now, and a restarted item carries its stall stage over to the next process.
   */
  async #followPersistent(child: Child, now: number): Promise<void> {
    const prefix = `${this.#token}/${child.name}/`;
    const claim = (await listClaims(this.#project.store.db)).find((c) => c.holder.startsWith(prefix));
    if (claim?.itemId === child.itemId) return;
    child.itemId = claim?.itemId;
    if (claim)
      this.#stall.set(child.name, { stage: this.#carry.get(claim.itemId)?.stage ?? 0, actedAt: now });
  }

  #stopChild(child: Child): void {
    signalChild(child.process, "SIGTERM");
    setTimeout(() => signalChild(child.process, "SIGKILL"), STOP_GRACE_MS).unref();
  }

  #fireSchedules(now: number): void {
    for (const role of this.#factory.roles) {
      const health = this.#health.get(role.name) as RoleHealth;
      if (!role.schedule || health.nextFire === undefined || now < health.nextFire) continue;
      health.activations += 1;
      health.nextFire = nextFire(role.schedule, new Date(now))?.getTime();
      void this.#event("role.scheduled", { role: role.name, next: health.nextFire ?? null });
    }
  }

  #working(itemId: number): boolean {
    if (this.#settling.has(itemId)) return true;
    for (const child of this.#children.values()) if (child.itemId === itemId) return true;
    return false;
  }

  async #openView(session: string): Promise<void> {
    await openTmuxView(session, join(this.#dirs.logs, `${session}.log`), this.#project.root).catch(
      (error: unknown) => this.#event("supervisor.error", { tmux: String(error) }),
    );
  }

  /** Medium actions whose review window ended execute or expire on time while the factory is up. */
  async #settleVault(now: number): Promise<void> {
    if (now - this.#vaultSettledAt < VAULT_TICK_MS) return;
    this.#vaultSettledAt = now;
    if (!existsSync(join(this.#project.paths.stateDir, "vault"))) return;
    try {
      await settleVault(openVault(this.#project));
    } catch (error) {
      await this.#event("supervisor.error", {
        vault: String(error instanceof Error ? error.message : error),
      });
    }
  }

  #canStart(role: Role, now: number): boolean {
    const health = this.#health.get(role.name) as RoleHealth;
    return role.enabled && !health.gaveUp && now >= health.notBefore;
  }

  #hasRoom(role: Role, busy: Child[]): boolean {
    const { settings } = this.#factory;
    if (busy.length >= settings.maxConcurrency) return false;
    if (busy.filter((c) => c.role.name === role.name).length >= role.concurrency) return false;
    const agent = role.agent ?? "";
    const cap = settings.agentConcurrency[agent];
    return cap === undefined || busy.filter((c) => (c.role.agent ?? "") === agent).length < cap;
  }

  /** The role's first free process name: its session, or `<session>.<n>` when it runs several. */
  #slotName(role: Role): string {
    const session = sessionName(this.#factory, role);
    if (role.concurrency === 1) return session;
    for (let n = 1; ; n++) if (!this.#children.has(`${session}.${n}`)) return `${session}.${n}`;
  }

  #event(type: string, data: Record<string, unknown>): Promise<void> {
    const itemId = typeof data.item === "number" ? data.item : undefined;
    return appendEvent(this.#project.store.db, { type, data, ...(itemId !== undefined && { itemId }) });
  }
}
