import type { ChildProcess } from "node:child_process";
import { type FactoryDirs, signalChild, startChild } from "./children.ts";
import { type FromWorker, type HostedTask, type ToWorker, WORKER_NAME_PREFIX } from "./host-protocol.ts";
import { gafferCommand } from "../util/index.ts";

/**
 * A hosted task's end: its code, or (when its worker died) the worker's signal and that death's
 * name, the same for every task it ended.
 */
export type TaskEnded = (
  name: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  incident?: string,
) => void;

/** One task's place: the worker hosting it. A new task of the same name is a new entry. */
interface HostedEntry {
  worker: WorkerProcess;
}

/** A handle on one task, bound to it: it does nothing once that task has ended. */
export interface TaskHandle {
  /**
   * Steers the task as a signal would a one-run process: SIGTERM cancels it, SIGUSR2 nudges it,
   * SIGKILL (a task that did not stop when cancelled) kills its whole worker, whose other tasks
   * are then healed.
   */
  signal(signal: NodeJS.Signals): void;
}

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** The names of the tasks it works now. */
  tasks: Set<string>;
}

/**
 * The supervisor's side of the worker processes that host runs: each takes up to `slots` tasks
 * at once; a task goes to the first worker with room, or to a new one. Workers stay up, idle, for
 * the next tasks until the supervisor stops them. A worker that dies ends every task it had, as a
 * one-run process dying would (so each is healed and its run resumed).
 */
export class WorkerPool {
  readonly #dirs: FactoryDirs;
  readonly #root: string;
  readonly #slots: number;
  readonly #ended: TaskEnded;
  readonly #workers = new Set<WorkerProcess>();
  readonly #byTask = new Map<string, HostedEntry>();
  #sequence = 0;

  constructor(options: { dirs: FactoryDirs; root: string; slots: number; ended: TaskEnded }) {
    this.#dirs = options.dirs;
    this.#root = options.root;
    this.#slots = options.slots;
    this.#ended = options.ended;
  }

  /** Hands the task to a worker; returns the worker's name and pid. */
  start(task: HostedTask): { worker: string; pid: number | undefined } {
    const worker = [...this.#workers].find((w) => w.tasks.size < this.#slots) ?? this.#startWorker();
    worker.tasks.add(task.name);
    this.#byTask.set(task.name, { worker });
    this.#send(worker, { kind: "start", task });
    return { worker: worker.name, pid: worker.child.pid };
  }

  /** Starts a worker with no task yet, so the first task does not wait for a process to start. */
  prestart(): void {
    if (this.#workers.size === 0) this.#startWorker();
  }

  has(name: string): boolean {
    return this.#byTask.has(name);
  }

  /** The task of that name now, if a worker hosts it. */
  task(name: string): TaskHandle | undefined {
    const entry = this.#byTask.get(name);
    if (!entry) return undefined;
    return {
      signal: (signal) => {
        if (this.#byTask.get(name) !== entry) return;
        if (signal === "SIGKILL") signalChild(entry.worker.child, "SIGKILL");
        else this.#send(entry.worker, { kind: signal === "SIGUSR2" ? "nudge" : "cancel", name });
      },
    };
  }

  /** Signals every worker process: SIGTERM cancels all their tasks, SIGKILL ends them outright. */
  signalAll(signal: NodeJS.Signals): void {
    for (const worker of this.#workers) signalChild(worker.child, signal);
  }

  /** Whether any worker process is still alive. */
  get running(): boolean {
    return this.#workers.size > 0;
  }

  #startWorker(): WorkerProcess {
    const name = `${WORKER_NAME_PREFIX}${++this.#sequence}`;
    const argv = gafferCommand("worker", "host");
    const child = startChild({ name, argv, cwd: this.#root, ipc: true }, this.#dirs, (code, signal) => {
      // Every message it sent before dying is read first: a task that ended says how.
      if (child.connected) child.once("disconnect", () => this.#gone(worker, code, signal));
      else this.#gone(worker, code, signal);
    });
    const worker: WorkerProcess = { name, child, tasks: new Set() };
    child.on("message", (message: FromWorker) => {
      if (message.kind !== "ended" || !worker.tasks.delete(message.name)) return;
      this.#byTask.delete(message.name);
      this.#ended(message.name, message.code, null);
    });
    this.#workers.add(worker);
    return worker;
  }

  #gone(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(worker);
    const incident = `${worker.name} (pid ${worker.child.pid}) ended`;
    for (const name of worker.tasks) {
      this.#byTask.delete(name);
      // A worker that exited cleanly with tasks left still left them unfinished.
      this.#ended(name, code === 0 ? null : code, signal, incident);
    }
    worker.tasks.clear();
  }

  #send(worker: WorkerProcess, message: ToWorker): void {
    // A worker that is dying cannot take it: its exit ends its tasks.
    worker.child.send(message, () => {});
  }
}
