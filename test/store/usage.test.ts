import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  addItem,
  type NewUsage,
  openStore,
  recordUsage,
  spentUsd,
  startOfUtcDay,
  sumUsage,
  totalUsage,
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
      inputTokens: 107,
      outputTokens: 10,
      cachedTokens: 3,
      costUsd: 0.75,
      unpriced: 1,
    });
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
