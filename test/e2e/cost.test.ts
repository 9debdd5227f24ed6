import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { cost } from "../../src/cli/commands/cost.ts";
import { projectPaths } from "../../src/engine/index.ts";
import { listAttempts, listEvents, listRuns, openStoreReadOnly, type Run } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";

const GATE = `[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

const PAID_GREEN = `
[[attempts]]
steps = [
  { usage = 1000, cost = 0.1 },
  { edit = "src/calc.js", old = "export function divide", new = "export function negate(a) {\\n  return -a;\\n}\\n\\nexport function divide" },
  { usage = 1000, cost = 0.25, input_tokens = 300, output_tokens = 40 },
]
`;

const EXPENSIVE_AND_SLOW = `
[[attempts]]
steps = [
  { usage = 1000, cost = 0.5 },
  { sleep = 30000 },
]
`;

/** Runs `gaffer cost` through the real CLI and returns what it printed. */
async function costOutput(dir: string, options: { by?: string; json?: boolean }): Promise<string> {
  const args = ["cost", ...(options.by ? ["--by", options.by] : []), ...(options.json ? ["--json"] : [])];
  const result = await gaffer(args, { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

async function runOf(dir: string, itemId: number): Promise<{ run: Run; events: string[]; attempts: number }> {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store);
  try {
    const [run] = await listRuns(store.db, { itemId });
    assert.ok(run);
    const events = (await listEvents(store.db, { runId: run.id })).map((e) => e.type);
    return { run, events, attempts: (await listAttempts(store.db, run.id)).length };
  } finally {
    await store.close();
  }
}

async function runItem(t: TestContext, dir: string, scenario: string) {
  const id = await fileItem(dir, scenarioItem(t.name, scenario));
  const started = Date.now();
  const result = await gaffer(["run", String(id)], { cwd: dir });
  return { id, result, tookMs: Date.now() - started };
}

describe("e2e: usage, cost and budgets", () => {
  it("records the session's last reported cost and `gaffer cost` shows it, by run, item, day and agent", async (t) => {
    const dir = await sampleProject(t);
    const { id, result } = await runItem(t, dir, PAID_GREEN);
    assert.equal(result.code, 0, result.stderr);

    const json = JSON.parse(await costOutput(dir, { json: true }));
    assert.equal(json.by, "run");
    assert.deepEqual(json.total, {
      attempts: 1,
      requests: 0,
      inputTokens: 300,
      outputTokens: 40,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.25,
      unpriced: 0,
    });
    assert.deepEqual(json.mismatches, []);
    const byItem = JSON.parse(await costOutput(dir, { by: "item", json: true }));
    assert.deepEqual(
      byItem.groups.map((g: { group: number; costUsd: number }) => [g.group, g.costUsd]),
      [[id, 0.25]],
    );
    const today = new Date().toISOString().slice(0, 10);
    assert.match(
      await costOutput(dir, { by: "day" }),
      new RegExp(`${today}\\s+1\\s+0\\s+300\\s+40\\s+0\\s+0\\s+0\\s+\\$0\\.2500`),
    );
    assert.match(
      await costOutput(dir, { by: "agent" }),
      /scripted\s+1\s+0\s+300\s+40\s+0\s+0\s+0\s+\$0\.2500\ntotal\s+1/,
    );
    assert.match(
      await costOutput(dir, { by: "role" }),
      /\(gaffer run\)\s+1\s+0\s+300\s+40\s+0\s+0\s+0\s+\$0\.2500/,
    );
    await assert.rejects(cost(dir, { by: "colour" }), {
      code: "usage",
      message: /cannot group usage by that/,
    });
  });

  it("stops a run mid-turn when it spends its budget, and refuses the next item once the project's is spent", async (t) => {
    const dir = await sampleProject(t, `[budget]\nrun = 0.10\nproject = 0.30\n\n${GATE}`);
    const first = await runItem(t, dir, EXPENSIVE_AND_SLOW);
    assert.equal(first.result.code, 1, first.result.stderr);
    assert.ok(first.tookMs < 20_000, `stopped after ${first.tookMs}ms, not after the sleep`);
    const stopped = await runOf(dir, first.id);
    assert.equal(stopped.run.state, "failed");
    assert.equal(stopped.run.reason, "budget: run budget of $0.10 spent ($0.50)");
    assert.ok(stopped.events.includes("budget.exceeded"));
    assert.equal(JSON.parse(await costOutput(dir, { json: true })).total.costUsd, 0.5);

    const second = await runItem(t, dir, EXPENSIVE_AND_SLOW);
    assert.equal(second.result.code, 1, second.result.stderr);
    assert.match(second.result.stderr, /budget: project budget of \$0\.30 spent \(\$0\.50\)/);
    const refused = await runOf(dir, second.id);
    assert.equal(refused.run.state, "failed");
    assert.equal(refused.attempts, 0, "no agent was started");
  });

  it("says there is no usage in a project without a store", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": GATE });
    assert.equal(await costOutput(dir, {}), "no usage yet\n");
  });
});
