/** What a worker process reports to the supervisor by its exit code. */
export const WORKER_EXIT = { done: 0, failed: 1, cancelled: 130, claimLost: 75 } as const;
