import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronProblem, nextFire } from "../../src/util/cron.ts";

describe("util/cron", () => {
  it("accepts five-field expressions and says what is wrong with others", () => {
    assert.equal(cronProblem("*/15 * * * *"), undefined);
    assert.equal(cronProblem("0 9 * * 1-5"), undefined);
    for (const bad of ["every day", "61 * * * *", "* * * * * * * *"]) {
      const problem = cronProblem(bad);
      assert.ok(problem && problem.length > 0, bad);
      assert.doesNotMatch(problem, /^CronPattern: /);
    }
  });

  it("fires next after the given time, in local time like crontab", () => {
    const from = new Date(2025, 0, 1, 10, 7, 30);
    assert.deepEqual(nextFire("*/15 * * * *", from), new Date(2025, 0, 1, 10, 15, 0));
    assert.deepEqual(nextFire("0 9 * * *", from), new Date(2025, 0, 2, 9, 0, 0));
    // 2025-01-01 is a Wednesday; the next Monday is the 6th.
    assert.deepEqual(nextFire("30 8 * * 1", from), new Date(2025, 0, 6, 8, 30, 0));
    const exactly = new Date(2025, 0, 1, 10, 15, 0);
    assert.deepEqual(nextFire("*/15 * * * *", exactly), new Date(2025, 0, 1, 10, 30, 0), "strictly after");
  });

  it("has no next time for a date that never comes", () => {
    assert.equal(nextFire("0 0 30 2 *", new Date(2025, 0, 1)), undefined);
  });
});
