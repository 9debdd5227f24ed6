import { isOwnerAlive, type Project } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { claimItem, type Db, getItem, listClaims, releaseClaim, renewClaim } from "../store/index.ts";

/** The role a claim taken by `gaffer run` is recorded under. */
export const CLI_ROLE = "gaffer run";

/** A claim kept alive by heartbeats while its holder works the item. */
export interface HeldLease {
  /** Aborted when a renewal finds the claim gone: another holder took the item over. */
  lost: AbortSignal;
  /** Stops the heartbeats and gives the item back, unless the claim was already lost. */
  release(reason: string): Promise<void>;
}

/** Renews `holder`'s claim on an item every `heartbeatMs` for `leaseMs` more, until released. */
export function keepLease(
  db: Db,
  lease: { itemId: number; holder: string; leaseMs: number; heartbeatMs: number },
): HeldLease {
  const lost = new AbortController();
  const heartbeat = setInterval(() => {
    renewClaim(db, lease.itemId, lease.holder, lease.leaseMs)
      .then((held) => {
        if (!held) lost.abort();
      })
      .catch(() => {});
  }, lease.heartbeatMs);
  return {
    lost: lost.signal,
    async release(reason) {
      clearInterval(heartbeat);
      if (!lost.signal.aborted) await releaseClaim(db, lease.itemId, lease.holder, reason).catch(() => {});
    },
  };
}

/**
 * Claims an item for a `gaffer run` in this process, as the factory's workers do, so one item
 * never has two live runs: a second `gaffer run`, or the factory, waits for it.
 */
export async function claimForRun(project: Project, itemId: number): Promise<HeldLease> {
  const db = project.store.db;
  await getItem(db, itemId);
  const { leaseMs, heartbeatMs } = project.config.factory.settings;
  const holder = `${project.owner}/run`;
  const current = (await listClaims(db)).find((c) => c.itemId === itemId);
  // A holder that died (a killed `gaffer run`, a crashed supervisor) cannot give its claim back.
  if (current && !isOwnerAlive(current.holder.split("/")[0] ?? "")) {
    await releaseClaim(db, itemId, current.holder, "its holder is gone");
  }
  if (!(await claimItem(db, { itemId, role: CLI_ROLE, duty: "build", holder, leaseMs }))) {
    const claim = (await listClaims(db)).find((c) => c.itemId === itemId);
    const [, pid] = (claim?.holder ?? "").split(":");
    throw new GafferError(
      "run-state",
      claim?.role === CLI_ROLE
        ? `item #${itemId} is being run by another \`gaffer run\` (pid ${pid})`
        : `item #${itemId} is being worked by the factory (role ${claim?.role})`,
      "see `gaffer status`; `gaffer pause` holds new work back, `gaffer down` stops the factory",
    );
  }
  return keepLease(db, { itemId, holder, leaseMs, heartbeatMs });
}

/**
 * Runs `work` holding the item's claim (see claimForRun), with a signal that aborts if the claim
 * is lost, and gives the item back when it ends.
 */
export async function withClaim<T>(
  project: Project,
  itemId: number,
  work: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const lease = await claimForRun(project, itemId);
  try {
    return await work(lease.lost);
  } finally {
    await lease.release("run ended");
  }
}
