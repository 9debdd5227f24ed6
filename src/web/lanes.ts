import type { Item, Proposal, Run, RunState } from "../store/index.ts";

/** The board's columns, left to right. */
export const LANES = [
  "backlog",
  "in progress",
  "proposed",
  "approved",
  "merged",
  "gave up",
  "blocked",
] as const;
export type Lane = (typeof LANES)[number];

const LANE_OF_RUN: Record<RunState, Lane> = {
  preparing: "in progress",
  agent: "in progress",
  gating: "in progress",
  proposing: "in progress",
  proposed: "proposed",
  revising: "in progress",
  failed: "gave up",
  "gave-up": "gave up",
  cancelled: "blocked",
  interrupted: "blocked",
  discarded: "backlog",
};

/**
 * Where an item stands: closed items are done (merged), parked ones (not gaffer's to take yet)
 * blocked; otherwise its latest run decides, a
 * reviewed-and-approved proposal moving on to "approved"; an item with nothing run waits in the
 * backlog unless an item it depends on is still open.
 */
export function laneOf(
  item: Item,
  latest: Run | undefined,
  proposal: Pick<Proposal, "review"> | undefined,
  openItems: ReadonlySet<number>,
): Lane {
  if (item.state === "closed") return "merged";
  if (item.state === "parked") return "blocked";
  if (latest) {
    const lane = LANE_OF_RUN[latest.state];
    return lane === "proposed" && proposal?.review === "approved" ? "approved" : lane;
  }
  return item.dependsOn.some((id) => openItems.has(id)) ? "blocked" : "backlog";
}
