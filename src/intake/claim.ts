import type { LabelScheme, TrackerConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { appendEvent, type Db, getItem, parkTrackedItem, trackerLinkOf } from "../store/index.ts";
import { openTracker } from "./open.ts";
import type { ClientTuning, Tracker } from "./types.ts";

export type ClaimOutcome = { won: true; claimant: string } | { won: false; reason: string };

/**
 * Claims an issue on its forge, idempotently, so two gaffers (or gaffer and a person) never work
 * one issue: an issue already assigned to someone else is theirs; otherwise gaffer assigns its
 * login, re-reads the issue, and backs off (unassigning itself) if anyone else is assigned too;
 * only the sole assignee labels it in progress (removing the ready labels and `blocked`) and
 * re-reads once more, since Gitea's assignee list can be overwritten between a read and a write.
 * Claiming an issue gaffer already holds changes nothing.
 */
export async function claimIssue(
  tracker: Tracker,
  labels: LabelScheme,
  number: number,
): Promise<ClaimOutcome> {
  const me = await tracker.claimant();
  const read = async () => {
    const issue = await tracker.getIssue(number);
    if (!issue)
      throw new GafferError(
        "item-not-found",
        `issue #${number} is gone from ${tracker.where}`,
        "`gaffer tracker sync` updates the items",
      );
    return issue;
  };
  const contested = async (): Promise<ClaimOutcome | undefined> => {
    const issue = await read();
    if (issue.state === "closed") return { won: false, reason: "closed on the forge" };
    const others = issue.assignees.filter((login) => login !== me);
    if (others.length === 0 && !issue.assignees.includes(me)) {
      throw new GafferError(
        "tracker-auth",
        `${tracker.where} did not assign ${me} to issue #${number}`,
        "the account needs triage access (GitHub) or write access (Gitea, Forgejo); `gaffer tracker check` says what is missing",
      );
    }
    if (others.length === 0) return undefined;
    if (issue.assignees.includes(me)) await tracker.unassign(number, me);
    return { won: false, reason: `claimed by ${others.join(", ")}` };
  };
  const before = await read();
  if (before.state === "closed") return { won: false, reason: "closed on the forge" };
  const others = before.assignees.filter((login) => login !== me);
  if (others.length > 0) return { won: false, reason: `claimed by ${others.join(", ")}` };
  if (!before.assignees.includes(me)) await tracker.assign(number, me);
  const afterAssign = await contested();
  if (afterAssign) return afterAssign;
  const has = (name: string) => before.labels.some((label) => label.toLowerCase() === name.toLowerCase());
  if (!has(labels.inProgress)) await tracker.addLabels(number, [labels.inProgress]);
  for (const name of [...labels.ready, labels.blocked].filter(has)) await tracker.removeLabel(number, name);
  return (await contested()) ?? { won: true, claimant: me };
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
    await appendEvent(db, {
      itemId,
      type: "tracker.claimed",
      data: { issue: link.number, url: link.url, assignee: outcome.claimant },
    });
    return;
  }
  await parkTrackedItem(db, itemId, outcome.reason);
  throw new GafferError(
    "run-state",
    `item #${itemId} (issue #${link.number} of ${tracker.where}) is not gaffer's to take: ${outcome.reason}`,
    "it is parked until the forge has it ready again; `gaffer tracker sync` brings it back",
  );
}
