import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  addItem,
  type NewModelRequest,
  type NewUsage,
  openStore,
  recordModelRequest,
  recordUsage,
  spentUsd,
  startOfUtcDay,
  sumUsage,
  totalUsage,
  usageMismatches,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createTestRun } from "../helpers/store.ts";

const DAY_1 = Date.UTC(2025, 0, 1, 23, 0);
const DAY_2 = Date.UTC(2025, 0, 2, 1, 0);

async function storeWithTwoRuns(t: TestContext) {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  const runOf = async (title: string, agent: string) => {
    const item = await addItem(store.db, { title });
    return createTestRun(store.db, item.id, { agent, maxFixAttempts: 2 });
  };
  const first = await runOf("one", "claude");
  const second = await runOf("two", "codex");
  const usage = (run: typeof first, attempt: number, fields: Partial<NewUsage>): NewUsage => ({
    runId: run.id,
    itemId: run.itemId,
    attempt,
    agent: run.agent,
    role: null,
    model: null,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: null,
    source: "unpriced",
    ...fields,
  });
  await recordUsage(
    store.db,
    usage(first, 1, { inputTokens: 100, costUsd: 0.25, source: "reported" }),
    DAY_1,
  );
  await recordUsage(store.db, usage(first, 2, { outputTokens: 10, costUsd: 0.5, source: "priced" }), DAY_2);
  await recordUsage(store.db, usage(second, 1, { inputTokens: 7, cachedTokens: 3 }), DAY_2);
  return { db: store.db, first, second };
}

describe("store/usage", () => {
  it("sums usage by run, item, UTC day and agent, and in total", async (t) => {
    const { db, first, second } = await storeWithTwoRuns(t);
    const brief = (sums: { group: number | string; attempts: number; costUsd: number; unpriced: number }[]) =>
      sums.map(({ group, attempts, costUsd, unpriced }) => [group, attempts, costUsd, unpriced]);
    assert.deepEqual(brief(await sumUsage(db, "run")), [
      [first.id, 2, 0.75, 0],
      [second.id, 1, 0, 1],
    ]);
    assert.deepEqual(brief(await sumUsage(db, "item")), [
      [first.itemId, 2, 0.75, 0],
      [second.itemId, 1, 0, 1],
    ]);
    assert.deepEqual(brief(await sumUsage(db, "day")), [
      ["2025-01-01", 1, 0.25, 0],
      ["2025-01-02", 2, 0.5, 1],
    ]);
    assert.deepEqual(brief(await sumUsage(db, "agent")), [
      ["claude", 2, 0.75, 0],
      ["codex", 1, 0, 1],
    ]);
    assert.deepEqual(await totalUsage(db), {
      attempts: 3,
      requests: 0,
      inputTokens: 107,
      outputTokens: 10,
      cachedTokens: 3,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.75,
      unpriced: 1,
    });
  });

  it("a metered attempt counts its requests, side requests included; its agent's report is only a cross-check", async (t) => {
    const { db, first } = await storeWithTwoRuns(t);
    const request = (run: typeof first, fields: Partial<NewModelRequest>): NewModelRequest => ({
      runId: run.id,
      itemId: run.itemId,
      attempt: 3,
      agent: run.agent,
      role: "builder",
      host: "api.anthropic.com",
      api: "anthropic",
      model: "claude-sonnet-4-5",
      status: 200,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: null,
      ...fields,
    });
    // The agent reports its conversation (one request); the wire also saw a side request and an unpriced one.
    await recordUsage(
      db,
      {
        runId: first.id,
        itemId: first.itemId,
        attempt: 3,
        agent: "claude",
        role: "builder",
        model: null,
        inputTokens: 120,
        outputTokens: 30,
        cachedTokens: 40,
        costUsd: 0.001,
        source: "reported",
        metered: true,
      },
      DAY_2,
    );
    const conversation = { inputTokens: 120, outputTokens: 30, cacheReadTokens: 40, cacheWriteTokens: 10 };
    await recordModelRequest(db, request(first, { ...conversation, costUsd: 0.0009 }), DAY_2);
    await recordModelRequest(
      db,
      request(first, { inputTokens: 12, outputTokens: 3, costUsd: 0.0001 }),
      DAY_2,
    );
    await recordModelRequest(db, request(first, { model: "new-model", reasoningTokens: 7 }), DAY_2);

    const run = await totalUsage(db, { runId: first.id });
    assert.deepEqual(run, {
      attempts: 3,
      requests: 3,
      inputTokens: 100 + 120 + 12,
      outputTokens: 10 + 30 + 3,
      cachedTokens: 40,
      cacheWriteTokens: 10,
      reasoningTokens: 7,
      costUsd: 0.75 + 0.0009 + 0.0001,
      unpriced: 1,
    });
    assert.equal(await spentUsd(db, { runId: first.id }), 0.75 + 0.0009 + 0.0001);
    assert.deepEqual(
      (await sumUsage(db, "role")).map((sum) => [sum.group, sum.attempts, sum.requests]),
      [
        ["(gaffer run)", 3, 0],
        ["builder", 1, 3],
      ],
    );
    assert.deepEqual(await usageMismatches(db), [
      {
        runId: first.id,
        attempt: 3,
        agent: "claude",
        reported: { tokens: 190, costUsd: 0.001 },
        wire: { tokens: 200 + 15 + 7, costUsd: 0.001, requests: 3 },
      },
    ]);
  });

  it("tells what a run, an item, a day and the project have spent", async (t) => {
    const { db, first, second } = await storeWithTwoRuns(t);
    assert.equal(await spentUsd(db, { runId: first.id }), 0.75);
    assert.equal(await spentUsd(db, { itemId: second.itemId }), 0);
    assert.equal(await spentUsd(db, { since: startOfUtcDay(DAY_2) }), 0.5);
    assert.equal(await spentUsd(db), 0.75);
    assert.equal(startOfUtcDay(DAY_2), Date.UTC(2025, 0, 2));
  });

  it("sums nothing to zeros", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    assert.deepEqual(await sumUsage(store.db, "day"), []);
    assert.equal((await totalUsage(store.db)).attempts, 0);
    assert.equal(await spentUsd(store.db), 0);
  });
});
