import { createHash } from "node:crypto";
import type { LabelScheme } from "../config/index.ts";
import {
  type Db,
  MAX_BODY_BYTES,
  recordTrackerIssues,
  type TrackedIssue,
  type TrackerRecord,
  trackerCursor,
  trackerLinks,
} from "../store/index.ts";
import { parseDependencies } from "./dependencies.ts";
import { priorityOf, readiness } from "./readiness.ts";
import type { ForgeIssue, Tracker } from "./types.ts";

/** At most this many dependencies are fetched one by one in one sync; the rest wait for the next. */
const MAX_DEPENDENCY_FETCHES = 100;

export interface SyncReport extends TrackerRecord {
  /** Issues the forge returned. */
  fetched: number;
  /** The cursor the next sync reads from. */
  since: string | undefined;
}

/**
 * Brings a forge's issues into the store as items, so the factory schedules them like built-in
 * ones. The forge is the source of truth for what it owns (title, body, labels, open or closed,
 * ready or not); gaffer owns runs and claims.
 *
 * The first sync lists the open issues with a ready label (or gaffer's in-progress label); after
 * that, every issue updated since the latest update already seen (the forge's own clock, so no
 * skew), which also catches issues that lost their label or were closed. A new issue enters the
 * store only when it is ready; an issue the store knows follows the forge. Dependencies (`#N` in a
 * `## Dependencies` section) the store does not know are fetched and enter in whatever state the
 * forge has them, so a ready issue waits for its open dependencies.
 */
export interface SyncOptions {
  now?: number;
  /**
   * Takes every secret gaffer knows out of an issue's title and body before it is stored (and so
   * before an agent, an event or a report sees it); gaffer's callers pass the secret scanner's.
   */
  redact?: (text: string) => string;
}

export async function syncTracker(
  db: Db,
  tracker: Tracker,
  labels: LabelScheme,
  { now = Date.now(), redact = (text) => text }: SyncOptions = {},
): Promise<SyncReport> {
  const claimant = await tracker.claimant();
  const since = await trackerCursor(db, tracker.key);
  const links = await trackerLinks(db, tracker.key);
  const fetched = new Map<number, ForgeIssue>();
  const lists =
    since === undefined
      ? [...labels.ready, labels.inProgress].map((label) => ({ state: "open" as const, label }))
      : [{ state: "all" as const, since }];
  for (const query of lists)
    for (const issue of await tracker.listIssues(query)) fetched.set(issue.number, issue);
  const wanted = new Map(
    [...fetched.values()]
      .filter((i) => links.has(i.number) || readiness(i, labels, claimant).state === "open")
      .map((i) => [i.number, i]),
  );
  const queue = [...wanted.values()].flatMap((issue) => parseDependencies(issue.body));
  for (let fetches = 0; queue.length > 0 && fetches < MAX_DEPENDENCY_FETCHES;) {
    const number = queue.shift() as number;
    if (wanted.has(number) || links.has(number)) continue;
    let dependency = fetched.get(number);
    if (!dependency) {
      fetches++;
      dependency = await tracker.getIssue(number);
    }
    if (!dependency) continue;
    wanted.set(number, dependency);
    queue.push(...parseDependencies(dependency.body));
  }
  const latest = [...fetched.values()]
    .map((issue) => new Date(issue.updatedAt).toISOString())
    .reduce<string | undefined>((max, at) => (max === undefined || at > max ? at : max), since);
  const tracked = [...wanted.values()].map((issue) =>
    trackedIssue({ ...issue, title: redact(issue.title), body: redact(issue.body) }, labels, claimant),
  );
  const record = await recordTrackerIssues(db, tracker.key, tracked, latest, now);
  return { ...record, fetched: fetched.size, since: latest };
}

function trackedIssue(issue: ForgeIssue, labels: LabelScheme, claimant: string): TrackedIssue {
  const { state, reason } = readiness(issue, labels, claimant);
  const body = capped(issue.body, issue.url);
  const fields = {
    title: issue.title,
    body,
    labels: issue.labels,
    priority: priorityOf(issue, labels),
    state,
    reason,
    dependsOn: parseDependencies(issue.body),
  };
  const fingerprint = createHash("sha256").update(JSON.stringify(fields)).digest("hex");
  return {
    ...fields,
    number: issue.number,
    url: issue.url,
    createdAt: Date.parse(issue.createdAt) || Date.now(),
    fingerprint,
  };
}

/** An item's body holds at most MAX_BODY_BYTES; a longer issue is cut, saying where the rest is. */
function capped(body: string, url: string): string {
  if (Buffer.byteLength(body) <= MAX_BODY_BYTES) return body;
  const note = `\n\n[cut: the whole issue is at ${url}]`;
  return (
    Buffer.from(body)
      .subarray(0, MAX_BODY_BYTES - Buffer.byteLength(note) - 4)
      .toString("utf8")
      .replace(/\uFFFD+$/, "") + note
  );
}
