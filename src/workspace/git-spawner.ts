import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { GitCommand } from "./git-exec.ts";
import type { GitResult } from "./types.ts";

/**
 * Starting a process from Node forks the whole parent first: a worker hosting ten runs (~250 MB)
 * blocks its event loop ~12 ms for every git command, and a run makes dozens. A spawner is a small
 * process that starts git for it: the worker only passes the command and gets the result back.
 */

/** What a process tells its spawner. */
export type ToSpawner = { type: "run"; id: number; command: GitCommand } | { type: "kill"; id: number };

/** What the spawner answers: the result of command `id`, once git has ended. */
export interface FromSpawner {
  id: number;
  result: GitResult;
}

const ENTRY = fileURLToPath(new URL(`./git-spawner-process${extname(import.meta.url)}`, import.meta.url));

class GitSpawner {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (result: GitResult) => void>();
  #nextId = 1;
  #ended = false;

  constructor() {
    this.#child = fork(ENTRY, [], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
    });
    this.#child.on("message", (message: FromSpawner) => this.#settle(message.id, message.result));
    this.#child.on("exit", () => this.#end());
    this.#child.on("error", () => this.#end());
    this.#child.channel?.unref();
  }

  get ended(): boolean {
    return this.#ended;
  }

  run(command: GitCommand, signal?: AbortSignal): Promise<GitResult> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const kill = () => this.#send({ type: "kill", id });
      this.#pending.set(id, (result) => {
        signal?.removeEventListener("abort", kill);
        resolve(result);
      });
      // A command in flight keeps this process alive, as git itself would.
      if (this.#pending.size === 1) this.#child.channel?.ref();
      this.#send({ type: "run", id, command });
      if (signal?.aborted) kill();
      else signal?.addEventListener("abort", kill, { once: true });
    });
  }

  #send(message: ToSpawner): void {
    if (this.#ended) return;
    this.#child.send(message, undefined, undefined, (error) => {
      if (error) this.#end();
    });
  }

  #settle(id: number, result: GitResult): void {
    const settle = this.#pending.get(id);
    if (!settle) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#child.channel?.unref();
    const { stdout } = result;
    settle({ ...result, stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout) });
  }

  /** The spawner is gone: what it was running fails, and git is started directly from now on. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, {
        exitCode: null,
        stdout: Buffer.alloc(0),
        stderr: "the process that started git ended before git did",
        timedOut: false,
      });
    }
    this.#child.kill("SIGKILL");
  }
}

let spawner: GitSpawner | undefined;

/**
 * From now on this process starts git through a spawner of its own. For processes that grow big
 * and run git often (a worker hosting runs); a short command is better off without one.
 */
export function startGitSpawner(): void {
  spawner ??= new GitSpawner();
}

/** The spawner git goes through, while there is one. */
export function gitSpawner(): GitSpawner | undefined {
  return spawner?.ended === false ? spawner : undefined;
}
