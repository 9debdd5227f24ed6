import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Project, type RunRole, startRun } from "../../src/engine/index.ts";
import { addItem, listAttempts, listEvents } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

const role = (continuation: RunRole["continuation"]): RunRole => ({
  name: "builder",
  instructions: undefined,
  continuation,
});

const FAILING_TEST = `import { test } from 'node:test';\\ntest('extra', () => { throw new Error('not yet'); });\\n`;
const PASSING_TEST = `import { test } from 'node:test';\\ntest('extra', () => {});\\n`;

/**
 * Attempt 1 leaves a failing test (red gate), attempt 2 fixes it. Usage is reported the way a
 * session reports it: cumulative, so attempt 2's counts include attempt 1's.
 */
const HEALS = (firstTurnEnds = "") => `
[[attempts]]
steps = [
  { usage = 1000, cost = 0.1, input_tokens = 100, output_tokens = 10 },
  { write = "test/extra.test.js", content = "${FAILING_TEST}" },${firstTurnEnds}
]
[[attempts]]
steps = [
  { usage = 3000, cost = 0.25, input_tokens = 250, output_tokens = 30, cached_tokens = 40 },
  { write = "test/extra.test.js", content = "${PASSING_TEST}" },
]`;

async function heal(project: Project, continuation: RunRole["continuation"], firstTurnEnds?: string) {
  const item = await addItem(project.store.db, scenarioItem("add a test", HEALS(firstTurnEnds)));
  const result = await startRun(project, item.id, { ...IN_PROCESS, role: role(continuation) });
  assert.equal(result.outcome, "proposed", result.run.reason ?? "");
  const runId = result.run.id;
  const attempts = (await listAttempts(project.store.db, runId)).map((a) => a.state);
  assert.deepEqual(attempts, ["red", "green"]);
  const events = await listEvents(project.store.db, { runId });
  const usage = await project.store.db
    .selectFrom("usage")
    .select(["attempt", "input_tokens", "output_tokens", "cached_tokens", "cost_usd", "source"])
    .where("run_id", "=", runId)
    .orderBy("attempt")
    .execute();
  return { runId, events, usage: usage.map((row) => ({ ...row })) };
}

describe("engine: continued agent sessions", () => {
  it("takes the attempt after a red gate as a further turn in the same session, charging it only its own usage", async (t) => {
    const project = await inProcessProject(t);
    const { runId, events, usage } = await heal(project, "continue");
    const continued = events.filter((e) => e.type === "agent.session-continued");
    assert.deepEqual(
      continued.map((e) => e.data),
      [{ attempt: 2 }],
    );
    // The continued turn still gets the full brief, failure included.
    const prompt2 = events.findIndex((e) => e.type === "agent.prompt" && e.data.attempt === 2);
    assert.ok(
      prompt2 >= 0 && events.indexOf(continued[0] as never) > prompt2,
      "continued after the brief is written",
    );
    const brief = readFileSync(join(project.paths.runDir(runId), "attempt-2-brief.md"), "utf8");
    assert.match(brief, /# A CI check just failed/);
    assert.deepEqual(usage, [
      {
        attempt: 1,
        input_tokens: 100,
        output_tokens: 10,
        cached_tokens: 0,
        cost_usd: 0.1,
        source: "reported",
      },
      {
        attempt: 2,
        input_tokens: 150,
        output_tokens: 20,
        cached_tokens: 40,
        cost_usd: 0.15,
        source: "reported",
      },
    ]);
  });

  it("starts a fresh session for a role that does not continue, so its usage is the session's own", async (t) => {
    const project = await inProcessProject(t);
    const { events, usage } = await heal(project, "fresh");
    assert.equal(events.filter((e) => e.type === "agent.session-continued").length, 0);
    assert.deepEqual(
      usage.map((u) => [u.attempt, u.input_tokens, u.output_tokens, u.cost_usd]),
      [
        [1, 100, 10, 0.1],
        [2, 250, 30, 0.25],
      ],
    );
  });

  it("does not continue a session whose turn did not end normally", async (t) => {
    const project = await inProcessProject(t);
    const { events, usage } = await heal(project, "continue", `\n  { stop = "max_tokens" },`);
    assert.equal(events.filter((e) => e.type === "agent.session-continued").length, 0);
    assert.equal(
      events.map(dataOf).find((d, i) => events[i]?.type === "agent.done" && d.attempt === 1)?.stopReason,
      "max_tokens",
    );
    assert.deepEqual(
      usage.map((u) => [u.attempt, u.input_tokens]),
      [
        [1, 100],
        [2, 250],
      ],
    );
  });
});
