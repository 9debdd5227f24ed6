import type { Role } from "../config/index.ts";
import {
  type Db,
  findProposal,
  type Item,
  listClaims,
  listItems,
  listRuns,
  RESUMABLE_STATES,
  type Run,
} from "../store/index.ts";

/** Items made for one role carry this label, so builders that take everything leave them alone. */
export const ROLE_LABEL_PREFIX = "role:";

/** What the store says is waiting, read in one pass per tick. */
export interface Backlog {
  /** Open items nobody has claimed, each with its latest run, by priority (highest first) then age. */
  unclaimed: { item: Item; latest: Run | undefined }[];
  /** Proposed runs whose proposal no reviewer has judged yet, on unclaimed items, oldest first. */
  awaitingReview: Run[];
  /** Proposals awaiting review, claimed or not (for backpressure). */
  pendingReviews: number;
}

export async function readBacklog(db: Db): Promise<Backlog> {
  const claimed = new Set((await listClaims(db)).map((claim) => claim.itemId));
  const items = await listItems(db, { state: "all" });
  const closed = new Set(items.filter((item) => item.state === "closed").map((item) => item.id));
  const latest = new Map<number, Run>();
  for (const run of await listRuns(db)) latest.set(run.item_id, run);
  const open = items.filter((item) => item.state === "open");
  const unclaimed = open
    .filter((item) => !claimed.has(item.id) && item.dependsOn.every((id) => closed.has(id)))
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || a.id - b.id)
    .map((item) => ({ item, latest: latest.get(item.id) }));
  const proposed = open.flatMap((item) => {
    const run = latest.get(item.id);
    return run?.state === "proposed" ? [run] : [];
  });
  const unreviewed: Run[] = [];
  for (const run of proposed) {
    if ((await findProposal(db, run.id))?.review === null) unreviewed.push(run);
  }
  return {
    unclaimed,
    awaitingReview: unreviewed
      .filter((run) => !claimed.has(run.item_id))
      .sort((a, b) => a.updated_at - b.updated_at),
    pendingReviews: unreviewed.length,
  };
}

/** A builder takes an item it matches that has no run yet, or whose latest run can be resumed. */
export function buildable(entry: { item: Item; latest: Run | undefined }, role: Role): boolean {
  const { item, latest } = entry;
  if (latest && !RESUMABLE_STATES.includes(latest.state)) return false;
  return takesItem(role, item);
}

/** A role with labels takes items with any of them; one without takes every item not made for another role. */
export function takesItem(role: Role, item: Item): boolean {
  if (item.labels.includes(`${ROLE_LABEL_PREFIX}${role.name}`)) return true;
  if (role.labels.length > 0) return role.labels.some((label) => item.labels.includes(label));
  return !item.labels.some((label) => label.startsWith(ROLE_LABEL_PREFIX));
}
