import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextStep } from "../../src/engine/index.ts";
import type { Attempt, AttemptState, Run, RunState } from "../../src/store/index.ts";

function run(state: RunState, maxFixAttempts = 2): Run {
  return {
    id: 1,
    itemId: 1,
    state,
    agent: "scripted",
    branch: "gaffer/1",
    baseBranch: "main",
    baseCommit: "0".repeat(40),
    workspace: "/ws",
    attempt: 0,
    maxFixAttempts: maxFixAttempts,
    owner: "me",
    reason: null,
    reportPath: null,
    sandbox: "off",
    role: "builder",
    createdAt: 0,
    updatedAt: 0,
    endedAt: null,
  };
}

/** Attempts 1…n in these states; a red one fails with its own signature unless one is given. */
function attempts(...states: (AttemptState | [AttemptState, string])[]): Attempt[] {
  return states.map((entry, index) => {
    const [state, hash] = Array.isArray(entry) ? entry : [entry, `failure-${index + 1}`];
    return {
      id: index + 1,
      runId: 1,
      number: index + 1,
      state,
      stopReason: null,
      treeHash: null,
      changed: true,
      failureHash: state === "red" ? hash : null,
      feedback: state === "red" || state === "changes-requested" ? "feedback" : null,
      commit: null,
      tree: null,
      startedAt: 0,
      endedAt: 0,
    };
  });
}

describe("engine/steps: review rounds", () => {
  it("follows a request for changes with the next attempt, once the run is resumed", () => {
    // Resumed from revising, the run is preparing again: the workspace comes first.
    assert.deepEqual(nextStep(run("preparing"), attempts("green", "changes-requested"), false), {
      kind: "prepare",
    });
    assert.deepEqual(nextStep(run("preparing"), attempts("changes-requested"), true), {
      kind: "agent",
      attempt: 2,
    });
    assert.deepEqual(nextStep(run("preparing"), attempts("red", "green", "changes-requested"), true), {
      kind: "agent",
      attempt: 4,
    });
  });

  it("counts fix attempts only since the last review round", () => {
    // max_fix_attempts = 2. Before any review, attempts 2 and 3 are the two fixes.
    assert.deepEqual(nextStep(run("gating"), attempts("red", "red"), true), { kind: "agent", attempt: 3 });
    assert.equal(nextStep(run("gating"), attempts("red", "red", "red"), true).kind, "give-up");
    // Two fixes went into round 1; round 2 (attempt 4) starts a fresh heal loop.
    const round1 = ["red", "red", "changes-requested"] as const;
    assert.deepEqual(nextStep(run("gating"), attempts(...round1, "red"), true), {
      kind: "agent",
      attempt: 5,
    });
    assert.deepEqual(nextStep(run("gating"), attempts(...round1, "red", "red"), true), {
      kind: "agent",
      attempt: 6,
    });
    assert.deepEqual(nextStep(run("gating"), attempts(...round1, "red", "red", "red"), true), {
      kind: "give-up",
      signal: "attempts-exhausted",
      detail: "the gate is still red after 2 fix attempts",
    });
  });

  it("counts from the latest of several review rounds", () => {
    // Round 1 reviewed attempt 1, round 2 reviewed attempt 3 (after one fix); attempt 4 is red.
    const rounds = attempts("changes-requested", "red", "changes-requested", "red");
    assert.deepEqual(nextStep(run("gating", 1), rounds, true), { kind: "agent", attempt: 5 });
    assert.deepEqual(
      nextStep(
        run("gating", 1),
        attempts("changes-requested", "red", "changes-requested", "red", "red"),
        true,
      ),
      {
        kind: "give-up",
        signal: "attempts-exhausted",
        detail: "the gate is still red after 1 fix attempt",
      },
    );
  });

  it("still fails at once on a red gate when no fixes are allowed, even after a review", () => {
    assert.deepEqual(nextStep(run("gating", 0), attempts("changes-requested", "red"), true), {
      kind: "fail",
      reason: "the gate is red and max_fix_attempts is 0",
    });
  });

  it("still gives up on an identical failure across a review boundary only when two reds are adjacent", () => {
    const same = attempts("changes-requested", ["red", "same"], ["red", "same"]);
    assert.deepEqual(nextStep(run("gating"), same, true), {
      kind: "give-up",
      signal: "repeated-failure",
      detail: "attempts 2 and 3 failed the gate identically",
    });
    // The round's attempt sits between the two reds: not a repeat.
    const split = attempts(["red", "same"], "changes-requested", ["red", "same"]);
    assert.deepEqual(nextStep(run("gating"), split, true), { kind: "agent", attempt: 4 });
  });

  it("is done once a run is proposed again or gave up, whatever its attempts say", () => {
    assert.deepEqual(nextStep(run("proposed"), attempts("changes-requested", "green"), true), {
      kind: "done",
    });
    assert.deepEqual(nextStep(run("gave-up"), attempts("changes-requested"), true), { kind: "done" });
    assert.deepEqual(nextStep(run("gating"), attempts("changes-requested", "green"), true), {
      kind: "propose",
    });
  });
});
