import type { LabelScheme } from "../config/index.ts";
import type { ItemState } from "../store/index.ts";
import type { ForgeIssue } from "./types.ts";

/**
 * What a forge issue is to gaffer. Open: ready (a ready label, no skip label, nobody else
 * assigned), or already claimed by gaffer's own login. Parked: open on the forge but not gaffer's
 * to take, with the reason. Closed: closed on the forge.
 */
export function readiness(
  issue: ForgeIssue,
  labels: LabelScheme,
  claimant: string,
): { state: ItemState; reason: string | null } {
  if (issue.state === "closed") return { state: "closed", reason: "closed on the forge" };
  if (issue.isPull) return { state: "parked", reason: "a pull request" };
  const has = (name: string) => issue.labels.some((label) => label.toLowerCase() === name.toLowerCase());
  const others = issue.assignees.filter((login) => login !== claimant);
  if (others.length > 0) return { state: "parked", reason: `assigned to ${others.join(", ")}` };
  const skipped = labels.skip.find(has);
  if (skipped) return { state: "parked", reason: `labelled ${skipped}` };
  if (has(labels.inProgress)) {
    return issue.assignees.includes(claimant)
      ? { state: "open", reason: null }
      : { state: "parked", reason: `labelled ${labels.inProgress} with nobody assigned` };
  }
  if (labels.ready.some(has)) return { state: "open", reason: null };
  return { state: "parked", reason: `not labelled ${labels.ready.join(" or ")}` };
}

/** disinto's tiers: a ready issue with the priority label goes first. */
export function priorityOf(issue: ForgeIssue, labels: LabelScheme): number {
  return issue.labels.some((label) => label.toLowerCase() === labels.priority.toLowerCase()) ? 1 : 0;
}
