import { setTimeout as sleep } from "node:timers/promises";
import type { LabelScheme, TrackerConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { appendEvent, type Db, EVENTS, getItem, parkTrackedItem, trackerLinkOf } from "../store/index.ts";
import { openTracker } from "./open.ts";
import type { ClientTuning, Tracker } from "./types.ts";

export type ClaimOutcome = { won: true; claimant: string } | { won: false; reason: string };

/** Claimants that collide try again this many times, each after a random pause that grows. */
const CLAIM_ATTEMPTS = 4;
/**
 * Longer than the second GitHub's clients leave between two writes: a shorter pause would be
 * absorbed by that pacing, and two colliding claimants would write in step again.
 */
const CLAIM_PAUSE_MS = 1000;

/**
 * Claims an issue on its forge, idempotently, so two gaffers (or gaffer and a person) never work
 * one issue. An issue assigned to someone else is theirs. Otherwise gaffer assigns its login and
 * re-reads: it has won only as the sole assignee, and only then labels the issue in progress
 * (removing the ready labels and `blocked`) and re-reads once more, since Gitea's assignee list
 * can be overwritten between a read and a write. A claimant that finds someone else assigned
 * beside it takes its own assignment back and tries again after a random pause, so two claimants
 * that collide never both win, and one of them soon does. Claiming an issue gaffer already holds
 * changes nothing.
 */
export async function claimIssue(
  tracker: Tracker,
  labels: LabelScheme,
  number: number,
): Promise<ClaimOutcome> {
  const me = await tracker.claimant();
  const read = async () => {
    const issue = await tracker.getIssue(number);
    if (!issue) {
      throw new GafferError(
        "item-not-found",
        `issue #${number} is gone from ${tracker.where}`,
        "`gaffer tracker sync` updates the items",
      );
    }
    return issue;
  };
  /** After gaffer's write: alone (true), or someone else is there too (gaffer's assignment is taken back). */
  const alone = async (): Promise<boolean> => {
    const issue = await read();
    const others = issue.assignees.filter((login) => login !== me);
    const mine = issue.assignees.includes(me);
    if (others.length === 0 && !mine) {
      throw new GafferError(
        "tracker-auth",
        `${tracker.where} did not assign ${me} to issue #${number}`,
        "the account needs triage access (GitHub) or write access (Gitea, Forgejo); `gaffer tracker check` says what is missing",
      );
    }
    if (others.length > 0 && mine) await tracker.unassign(number, me);
    return others.length === 0;
  };
  for (let attempt = 1; ; attempt++) {
    const before = await read();
    if (before.state === "closed") return { won: false, reason: "closed on the forge" };
    const others = before.assignees.filter((login) => login !== me);
    if (others.length > 0) return { won: false, reason: `claimed by ${others.join(", ")}` };
    if (!before.assignees.includes(me)) await tracker.assign(number, me);
    if (await alone()) {
      const has = (name: string) => before.labels.some((label) => label.toLowerCase() === name.toLowerCase());
      if (!has(labels.inProgress)) await tracker.addLabels(number, [labels.inProgress]);
      for (const name of [...labels.ready, labels.blocked].filter(has))
        await tracker.removeLabel(number, name);
      if (await alone()) return { won: true, claimant: me };
    }
    if (attempt === CLAIM_ATTEMPTS)
      return { won: false, reason: "other claimants kept claiming it at the same moment" };
    await sleep(CLAIM_PAUSE_MS * attempt * (1 + Math.random()));
  }
}

/**
 * Before a run of a forge item: claims its issue on the forge. A parked item is refused; a lost
 * claim parks the item (it comes back when a sync finds the issue ready again). Either way the
 * run stops before it starts.
 */
export async function claimTrackedItem(
  db: Db,
  config: TrackerConfig | undefined,
  itemId: number,
  env: NodeJS.ProcessEnv = process.env,
  tuning?: ClientTuning,
): Promise<void> {
  const link = await trackerLinkOf(db, itemId);
  if (!link) return;
  if ((await getItem(db, itemId)).state === "parked") {
    throw new GafferError(
      "run-state",
      `item #${itemId} is parked: ${link.reason ?? "not ready on the forge"}`,
      `make issue #${link.number} ready on the forge (${link.url}), then \`gaffer tracker sync\``,
    );
  }
  if (!config) {
    throw new GafferError(
      "config-invalid",
      `item #${itemId} is issue #${link.number} of ${link.url}, but gaffer.toml has no [tracker]`,
      "add the [tracker] it came from (docs/FORGES.md)",
    );
  }
  const tracker = openTracker(config, env, tuning);
  if (link.tracker !== tracker.key) {
    throw new GafferError(
      "config-invalid",
      `item #${itemId} came from another tracker (${link.url}) than [tracker] names (${tracker.where})`,
      "restore that [tracker], or close the item",
    );
  }
  const outcome = await claimIssue(tracker, config.labels, link.number);
  if (outcome.won) {
    const claimed = { issue: link.number, url: link.url, assignee: outcome.claimant };
    await appendEvent(db, { itemId }, EVENTS.trackerClaimed, claimed);
    return;
  }
  await parkTrackedItem(db, itemId, outcome.reason);
  throw new GafferError(
    "run-state",
    `item #${itemId} (issue #${link.number} of ${tracker.where}) is not gaffer's to take: ${outcome.reason}`,
    "it is parked until the forge has it ready again; `gaffer tracker sync` brings it back",
  );
}
