import type { GafferConfig } from "../config/index.ts";
import { type BackendPause, readBackendPauses } from "./backend-pause.ts";
import { readPaused } from "./control.ts";
import { runningDaemon } from "./ownership.ts";
import { awaitsBuild, readBacklog } from "./scheduler.ts";
import { type Db, listClaims, spentUsd, startOfUtcDay } from "../store/index.ts";

/** What the daemon is doing now, for `gaffer status`: reads only. */
export interface DaemonStatus {
  daemon: { pid: number; since: number } | null;
  paused: boolean;
  /** Open items no one has claimed whose dependencies are closed. */
  ready: number;
  claims: { item: number; role: string; duty: string; expiresAt: number }[];
  awaitingReview: number;
  spent: { today: number; total: number };
  /** Model hosts at their plan limit, and the agents whose work waits for the reset. */
  backends: BackendPause[];
}

export async function daemonStatus(
  stateDir: string,
  db: Db | undefined,
  config: GafferConfig,
  now = Date.now(),
): Promise<DaemonStatus> {
  const daemon = runningDaemon(stateDir);
  const backlog = db ? await readBacklog(db) : undefined;
  return {
    daemon: daemon ? { pid: daemon.pid, since: daemon.startedAt } : null,
    paused: readPaused(stateDir),
    ready: backlog?.unclaimed.filter((entry) => awaitsBuild(entry.latest)).length ?? 0,
    claims: db
      ? (await listClaims(db)).map((c) => ({
          item: c.itemId,
          role: c.role,
          duty: c.duty,
          expiresAt: c.expiresAt,
        }))
      : [],
    awaitingReview: backlog?.pendingReviews ?? 0,
    spent: {
      today: db ? await spentUsd(db, { since: startOfUtcDay(now) }) : 0,
      total: db ? await spentUsd(db) : 0,
    },
    backends: db ? await readBackendPauses(db, config, now) : [],
  };
}
