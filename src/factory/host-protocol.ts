import type { WorkerTask } from "./worker.ts";

/**
 * What passes between the supervisor and a worker process hosting runs. The supervisor hands a
 * worker tasks (a claimed item to build, or a proposal to review) and steers them by name; the
 * worker reports each task's end with the code a one-run process would have exited with. Runs,
 * events and claims go through the store, so a worker fed from a queue on another machine needs
 * only these messages.
 */
export interface HostedTask extends WorkerTask {
  /** The task's name in the factory: its log's name, the role's session with `.<n>`. */
  name: string;
  duty: "build" | "review";
}

export type ToWorker =
  | { kind: "start"; task: HostedTask }
  /** cancel: stop the task's run and keep its workspace; nudge: wake its stalled agent. */
  | { kind: "cancel" | "nudge"; name: string };

export type FromWorker = { kind: "ended"; name: string; code: number };

/** A worker process's name: never a role's session, whose names cannot start with `@`. */
export const WORKER_NAME_PREFIX = "@worker.";
