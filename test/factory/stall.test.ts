import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type StallClock, stallAction, stallReason } from "../../src/factory/stall.ts";

const LIMITS = { activityMs: 60_000, progressMs: 600_000 };
const T0 = Date.UTC(2025, 0, 1);

/** A run that started at T0 and has done nothing since. */
const clock = (changes: Partial<StallClock> = {}): StallClock => ({
  activityAt: T0,
  agentWorking: true,
  progressAt: T0,
  actedAt: T0,
  stage: 0,
  ...changes,
});

describe("factory/stall", () => {
  it("leaves a run alone while its agent is active and it progresses", () => {
    assert.equal(stallAction(clock(), LIMITS, T0 + LIMITS.activityMs - 1), undefined);
    assert.equal(stallAction(clock({ activityAt: T0 + 50_000 }), LIMITS, T0 + 100_000), undefined);
  });

  it("acts on a working agent that has been quiet for the activity period", () => {
    assert.equal(stallAction(clock(), LIMITS, T0 + LIMITS.activityMs), "nudge");
    assert.equal(stallReason(clock(), LIMITS, T0 + LIMITS.activityMs), "no agent activity for 60s");
  });

  it("does not count quiet against an agent that is not at work (the gate is running, say)", () => {
    const gating = clock({ agentWorking: false });
    assert.equal(stallAction(gating, LIMITS, T0 + LIMITS.activityMs * 5), undefined);
    // Progress still counts: a gate that never finishes stalls the run.
    assert.equal(stallAction(gating, LIMITS, T0 + LIMITS.progressMs), "nudge");
    assert.equal(stallReason(gating, LIMITS, T0 + LIMITS.progressMs), "no progress for 600s");
  });

  it("acts on a chatty agent that makes no progress", () => {
    const chatty = clock({ activityAt: T0 + LIMITS.progressMs - 1 });
    assert.equal(stallAction(chatty, LIMITS, T0 + LIMITS.progressMs - 1), undefined);
    assert.equal(stallAction(chatty, LIMITS, T0 + LIMITS.progressMs), "nudge");
    assert.equal(stallReason(chatty, LIMITS, T0 + LIMITS.progressMs), "no progress for 600s");
  });

  it("nudges, then restarts, then gives up, each a full period after the last action", () => {
    const quietAt = T0 + LIMITS.activityMs;
    assert.equal(stallAction(clock({ stage: 0 }), LIMITS, quietAt), "nudge");
    // Just nudged: the next stage waits for another quiet period from the nudge.
    const nudged = clock({ stage: 1, actedAt: quietAt });
    assert.equal(stallAction(nudged, LIMITS, quietAt + LIMITS.activityMs - 1), undefined);
    assert.equal(stallAction(nudged, LIMITS, quietAt + LIMITS.activityMs), "restart");
    const restarted = clock({ stage: 2, actedAt: quietAt + LIMITS.activityMs });
    assert.equal(stallAction(restarted, LIMITS, quietAt + 2 * LIMITS.activityMs - 1), undefined);
    assert.equal(stallAction(restarted, LIMITS, quietAt + 2 * LIMITS.activityMs), "give-up");
    assert.equal(stallAction(clock({ stage: 5, actedAt: T0 }), LIMITS, quietAt), "give-up");
  });

  it("measures quiet from the agent's latest activity, after a nudge too", () => {
    const quietAt = T0 + LIMITS.activityMs;
    const revived = clock({ stage: 1, actedAt: quietAt, activityAt: quietAt + 30_000 });
    assert.equal(stallAction(revived, LIMITS, quietAt + LIMITS.activityMs), undefined);
    assert.equal(stallAction(revived, LIMITS, quietAt + 30_000 + LIMITS.activityMs), "restart");
  });
});
