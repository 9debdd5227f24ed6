import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toAgentUpdate } from "../../src/agents/acp/updates.ts";
import { attemptCost, budgetExceeded } from "../../src/engine/usage.ts";

const PRICES = {
  "big-model": { input: 3, output: 15, cachedInput: 0.3 },
  "plain-model": { input: 1, output: 2 },
};
const TOKENS = { inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 2_000_000 };
const NO_BUDGET = { run: 0, item: 0, day: 0, project: 0 };
const SPENT = { run: 0.5, item: 0.5, day: 2, project: 9 };

describe("engine/usage", () => {
  it("takes a reported USD cost over the tokens", () => {
    assert.deepEqual(attemptCost({ ...TOKENS, costAmount: 0.25, costCurrency: "USD" }, "big-model", PRICES), {
      costUsd: 0.25,
      source: "reported",
    });
  });

  it("prices the tokens from the table when no USD cost was reported", () => {
    assert.deepEqual(attemptCost(TOKENS, "big-model", PRICES), { costUsd: 3 + 1.5 + 0.6, source: "priced" });
    assert.deepEqual(attemptCost(TOKENS, "plain-model", PRICES), { costUsd: 1 + 0.2 + 2, source: "priced" });
    assert.equal(
      attemptCost({ ...TOKENS, costAmount: 40, costCurrency: "credits" }, "plain-model", PRICES).source,
      "priced",
    );
  });

  it("leaves the cost unknown without a USD cost or priced tokens", () => {
    const unpriced = { costUsd: null, source: "unpriced" };
    assert.deepEqual(attemptCost(TOKENS, "unknown-model", PRICES), unpriced);
    assert.deepEqual(attemptCost(TOKENS, undefined, PRICES), unpriced);
    assert.deepEqual(attemptCost({ used: 1000 }, "big-model", PRICES), unpriced);
  });

  it("names the first budget used up", () => {
    assert.equal(budgetExceeded(NO_BUDGET, SPENT), undefined);
    assert.equal(budgetExceeded({ ...NO_BUDGET, day: 2.5 }, SPENT), undefined);
    assert.equal(
      budgetExceeded({ ...NO_BUDGET, run: 0.1, project: 5 }, SPENT),
      "budget: run budget of $0.10 spent ($0.50)",
    );
    assert.equal(
      budgetExceeded({ ...NO_BUDGET, project: 9 }, SPENT),
      "budget: project budget of $9.00 spent ($9.00)",
    );
  });

  it("reads token counts an agent puts in a usage update's _meta.gaffer", () => {
    const update = toAgentUpdate({
      sessionUpdate: "usage_update",
      used: 10,
      size: 100,
      _meta: { gaffer: { inputTokens: 7, outputTokens: 3, cachedTokens: "lots" } },
    });
    assert.deepEqual(update, { kind: "usage", used: 10, size: 100, inputTokens: 7, outputTokens: 3 });
  });
});
