import type { Role } from "../config/index.ts";
import {
  closedItemIds,
  type Db,
  type Item,
  latestRunsOf,
  listClaims,
  listItems,
  RESUMABLE_STATES,
  type Run,
  unreviewedProposals,
} from "../store/index.ts";
import { readFailures, type RunFailure } from "./retry.ts";

/** Items made for one role carry this label, so builders that take everything leave them alone. */
export const ROLE_LABEL_PREFIX = "role:";

/** An open item nobody has claimed, with its latest run. */
export interface BacklogEntry {
  item: Item;
  latest: Run | undefined;
  /** Set when the latest run failed: who the failure is down to, and the retries it had. */
  failure?: RunFailure;
}

/** What the store says is waiting, read in one pass per tick. */
export interface Backlog {
  /** Open items nobody has claimed, each with its latest run, by priority (highest first) then age. */
  unclaimed: BacklogEntry[];
  /** Proposed runs whose proposal no reviewer has judged yet, on unclaimed items, oldest first. */
  awaitingReview: Run[];
  /** Proposals awaiting review, claimed or not (for backpressure). */
  pendingReviews: number;
}

/**
 * Read every tick, so it reads only what is waiting: the open items, their latest runs, the state of
 * their dependencies, the review state of their proposals. Closed items and older runs are left
 * alone, so a project's history does not slow the supervisor down.
 */
export async function readBacklog(db: Db): Promise<Backlog> {
  const claimed = new Set((await listClaims(db)).map((claim) => claim.itemId));
  const open = await listItems(db, { state: "open" });
  const closed = await closedItemIds(
    db,
    open.flatMap((item) => item.dependsOn),
  );
  const latest = await latestRunsOf(
    db,
    open.map((item) => item.id),
  );
  const ready = open
    .filter((item) => !claimed.has(item.id) && item.dependsOn.every((id) => closed.has(id)))
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || a.id - b.id);
  const failures = await readFailures(
    db,
    ready.flatMap((item) => {
      const run = latest.get(item.id);
      return run?.state === "failed" ? [run.id] : [];
    }),
  );
  const unclaimed = ready.map((item): BacklogEntry => {
    const run = latest.get(item.id);
    const failure = run && failures.get(run.id);
    return { item, latest: run, ...(failure && { failure }) };
  });
  const proposed = open.flatMap((item) => {
    const run = latest.get(item.id);
    return run?.state === "proposed" ? [run] : [];
  });
  const awaiting = await unreviewedProposals(
    db,
    proposed.map((run) => run.id),
  );
  const unreviewed = proposed.filter((run) => awaiting.has(run.id));
  return {
    unclaimed,
    awaitingReview: unreviewed
      .filter((run) => !claimed.has(run.itemId))
      .sort((a, b) => a.updatedAt - b.updatedAt),
    pendingReviews: unreviewed.length,
  };
}

/** A builder takes an item it matches that has no run yet, or whose latest run can be resumed. */
export function buildable(entry: BacklogEntry, role: Role): boolean {
  return awaitsBuild(entry.latest) && takesItem(role, entry.item);
}

/** An item awaits a builder while it has no run yet, or its latest run can be resumed. */
export function awaitsBuild(latest: Run | undefined): boolean {
  return latest === undefined || RESUMABLE_STATES.includes(latest.state);
}

/** An item made for a role (`role:<name>`) goes to that role alone; others go to roles with one of their labels, or without labels. */
export function takesItem(role: Role, item: Item): boolean {
  if (item.labels.includes(`${ROLE_LABEL_PREFIX}${role.name}`)) return true;
  if (item.labels.some((label) => label.startsWith(ROLE_LABEL_PREFIX))) return false;
  return role.labels.length === 0 || role.labels.some((label) => item.labels.includes(label));
}
