import assert from "node:assert/strict";
import { appendFileSync, chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listAttempts, listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { dataOf } from "../helpers/events.ts";
import { anthropicStream, fakeProvider, type FakeProvider, PROVIDER_CA } from "../helpers/fake-provider.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor, waitForEvent } from "../helpers/wait.ts";

const REAL_KEY = "sk-ant-e2e-real-key-0123456789";
/** Anthropic's list prices for claude-sonnet-4-5, the model the fake names: gaffer ships them. */
const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

/** The k-th request's usage, in Anthropic's terms: every request reports differently. */
const usageOf = (k: number) => ({ input: 100 * k, output: 10 * k, cacheRead: 40 * k, cacheWrite: 5 * k });

const NEGATE = `{ edit = "src/calc.js", old = "export function divide", new = "export function negate(a) {\\n  return -a;\\n}\\n\\nexport function divide" }`;

/** The agent calls its model `times` times with the key it holds (curl reads the CA bundle gaffer gave it). */
const calls = (authority: string, times: number) =>
  `{ shell = '''for i in $(seq ${times}); do curl -sS -o /dev/null -H "x-api-key: $ANTHROPIC_API_KEY" -d '{}' https://${authority}/v1/messages; done''' }`;

async function keysProject(t: TestContext, provider: FakeProvider): Promise<string> {
  const dir = await sampleProject(
    t,
    `[[gate.commands]]
name = "probe"
run = 'curl -sSk -o /dev/null -H "x-api-key: $ANTHROPIC_API_KEY" -d x "https://${provider.authority}/v1/messages?from=gate"; true'

[[gate.commands]]
name = "test"
run = "node --test"

[sandbox]
mode = "required"
hosts = ["${provider.authority}"]
env = ["ANTHROPIC_API_KEY"]

[models]
ca = ["provider-ca.pem"]

[models.hosts."${provider.authority}"]
api = "anthropic"
`,
  );
  writeFileSync(join(dir, "provider-ca.pem"), PROVIDER_CA.certificate);
  return dir;
}

async function record(dir: string, itemId: number) {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store);
  try {
    const run = (await listRuns(store.db, { itemId })).at(-1);
    assert.ok(run);
    return {
      run,
      events: await listEvents(store.db, { runId: run.id }),
      attempts: await listAttempts(store.db, run.id),
    };
  } finally {
    await store.close();
  }
}

const env = { ANTHROPIC_API_KEY: REAL_KEY };

describe("e2e: model keys stay with gaffer", { skip: sandboxSkip() }, () => {
  it("every request gets gaffer's key, and gaffer cost sums every request served, by class, against the agent's own report", async (t) => {
    let served = 0;
    const provider = await fakeProvider(t, () => anthropicStream(usageOf(++served)));
    const dir = await keysProject(t, provider);
    const scenario = `
[[attempts]]
steps = [
  ${calls(provider.authority, 3)},
  ${NEGATE},
  { usage = 1000, cost = 0.001, input_tokens = 100, output_tokens = 10 },
]`;
    const id = await fileItem(dir, scenarioItem("negate", scenario));
    const result = await gaffer(["run", String(id), "--plain"], { cwd: dir, env });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stdout + result.stderr,
      new RegExp(`model keys stay with gaffer's proxy: ${provider.authority} \\(ANTHROPIC_API_KEY\\)`),
    );

    const fromGate = provider.seen.filter((request) => request.path.endsWith("from=gate"));
    const fromAgent = provider.seen.filter((request) => !fromGate.includes(request));
    assert.equal(fromAgent.length, 3);
    for (const request of fromAgent) assert.equal(request.headers["x-api-key"], REAL_KEY);
    assert.equal(fromGate.length, 1, "the gate reached the provider, as a plain tunnel");
    assert.ok(!fromGate[0]?.headers["x-api-key"], "the gate, which runs the agent's code, has no key");

    const { events } = await record(dir, id);
    const keys = events.find((event) => event.type === "sandbox.model-keys");
    assert.ok(keys, "a sandbox.model-keys event");
    assert.deepEqual(dataOf(keys), {
      hosts: [{ host: provider.authority, api: "anthropic", variables: ["ANTHROPIC_API_KEY"] }],
      passed: [],
      confined: true,
      keys: "proxy",
    });
    assert.ok(!JSON.stringify(events).includes(REAL_KEY), "no event holds the key");

    const cost = await gaffer(["cost", "--json"], { cwd: dir });
    assert.equal(cost.code, 0, cost.stderr);
    const { total, mismatches } = JSON.parse(cost.stdout);
    const sum = [1, 2, 3].map(usageOf).reduce((a, b) => ({
      input: a.input + b.input,
      output: a.output + b.output,
      cacheRead: a.cacheRead + b.cacheRead,
      cacheWrite: a.cacheWrite + b.cacheWrite,
    }));
    const usd =
      (sum.input * SONNET.input +
        sum.output * SONNET.output +
        sum.cacheRead * SONNET.cacheRead +
        sum.cacheWrite * SONNET.cacheWrite) /
      1_000_000;
    assert.deepEqual(
      { ...total, costUsd: Math.round(total.costUsd * 1e9) },
      {
        attempts: 1,
        requests: 3,
        inputTokens: sum.input,
        outputTokens: sum.output,
        cachedTokens: sum.cacheRead,
        cacheWriteTokens: sum.cacheWrite,
        reasoningTokens: 0,
        costUsd: Math.round(usd * 1e9),
        unpriced: 0,
      },
    );
    assert.equal(mismatches.length, 1, "the agent's report (110 tokens, $0.001) differs from the wire");
    assert.deepEqual(mismatches[0].wire.requests, 3);
    const table = await gaffer(["cost"], { cwd: dir });
    assert.match(table.stdout, /the agents' own reports differ from what gaffer read on the wire/);
  });

  it("a plan limit stops the run interrupted with its reset, nothing charged; resumed, it goes on", async (t) => {
    const resetsAt = Math.floor(Date.now() / 1000) + 7200;
    let limited = true;
    const provider = await fakeProvider(t, () =>
      limited
        ? {
            status: 429,
            headers: {
              "content-type": "application/json",
              "anthropic-ratelimit-unified-status": "rejected",
              "anthropic-ratelimit-unified-reset": String(resetsAt),
            },
            body: JSON.stringify({
              type: "error",
              error: { type: "rate_limit_error", message: "usage limit reached" },
            }),
          }
        : anthropicStream(usageOf(1)),
    );
    const dir = await keysProject(t, provider);
    const scenario = `
[[attempts]]
steps = [
  ${calls(provider.authority, 1)},
  { sleep = 3000 },
  ${NEGATE},
]`;
    const id = await fileItem(dir, scenarioItem("negate", scenario));
    const stopped = await gaffer(["run", String(id), "--plain"], { cwd: dir, env });
    assert.equal(stopped.code, 75, `${stopped.stdout}\n${stopped.stderr}`);
    assert.match(stopped.stdout + stopped.stderr, /plan limit reached \(usage limit reached\)/);

    const first = await record(dir, id);
    assert.equal(first.run.state, "interrupted");
    assert.match(first.run.reason ?? "", /^plan limit: /);
    const limit = first.events.find((event) => event.type === "model.plan-limit");
    assert.ok(limit, "a model.plan-limit event");
    assert.equal(dataOf(limit).until, resetsAt * 1000);
    assert.equal(dataOf(limit).agent, "scripted");
    assert.deepEqual(
      first.attempts.map((a) => [a.number, a.state]),
      [[1, "agent"]],
      "the attempt is not charged",
    );

    limited = false;
    const resumed = await gaffer(["run", String(id), "--resume", "--plain"], { cwd: dir, env });
    assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
    const second = await record(dir, id);
    assert.equal(second.run.state, "proposed");
    assert.deepEqual(
      second.attempts.map((a) => a.number),
      [1],
      "the resumed run goes on with the same attempt",
    );
  });
});

describe("e2e: model keys without a sandbox", () => {
  it("are passed to the agent as before, and the run says so", async (t) => {
    const dir = await sampleProject(
      t,
      `[[gate.commands]]\nname = "test"\nrun = "node --test"\n\n[sandbox]\nmode = "off"\nenv = ["ANTHROPIC_API_KEY"]\n`,
    );
    const scenario = `[[attempts]]\nsteps = [\n  { shell = 'echo "$ANTHROPIC_API_KEY" > /dev/null' },\n  ${NEGATE},\n]`;
    const id = await fileItem(dir, scenarioItem("negate", scenario));
    const result = await gaffer(["run", String(id), "--plain"], { cwd: dir, env });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stderr,
      /WARNING: ANTHROPIC_API_KEY enter the agent's environment: there is no sandbox/,
    );
    const { events } = await record(dir, id);
    const keys = events.find((event) => event.type === "sandbox.model-keys");
    assert.ok(keys, "a sandbox.model-keys event");
    assert.deepEqual(dataOf(keys), {
      hosts: [],
      passed: ["ANTHROPIC_API_KEY"],
      confined: false,
      keys: "proxy",
    });
  });
});

describe("e2e: a login without a sandbox", () => {
  it("is not held by gaffer, and the run says so instead of dropping it quietly", async (t) => {
    const bin = tempDir(t, "gaffer-bin-");
    const codex = join(bin, "codex");
    writeFileSync(codex, "#!/bin/sh\nprintf 'export const triple = (a) => 3 * a;\\n' >> src/calc.js\n");
    chmodSync(codex, 0o755);
    const dir = await sampleProject(
      t,
      `[[gate.commands]]\nname = "test"\nrun = "node --test"\n\n[sandbox]\nmode = "off"\n\n[models]\nlogins = ["chatgpt"]\n\n[agents.codex]\ndriver = "command"\ncommand = "${codex} {prompt_file}"\nnative_rules = "codex"\n`,
    );
    const result = await gaffer(["run", "1", "--agent", "codex", "--plain"], { cwd: dir });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stderr,
      /WARNING: \[models\] logins chatgpt not held by gaffer: there is no sandbox; the agent uses its own login/,
    );
    const { events } = await record(dir, 1);
    const unused = events.find((event) => event.type === "sandbox.logins-unused");
    assert.ok(unused, "a sandbox.logins-unused event");
    assert.deepEqual(dataOf(unused), { logins: ["chatgpt"], confined: false, keys: "proxy" });
  });
});

describe("e2e: the factory at a plan limit", { skip: sandboxSkip() }, () => {
  it("holds the agent's work back until the reset, then resumes the interrupted run and goes on", async (t) => {
    // Set when the limit is answered: 12 s ahead, in whole seconds as the header gives it.
    let resetsAt = 0;
    const provider = await fakeProvider(t, () => {
      if (resetsAt > 0) return anthropicStream(usageOf(1));
      resetsAt = Math.floor(Date.now() / 1000) + 12;
      return {
        status: 429,
        headers: {
          "content-type": "application/json",
          "anthropic-ratelimit-unified-status": "rejected",
          "anthropic-ratelimit-unified-reset": String(resetsAt),
        },
        body: JSON.stringify({
          type: "error",
          error: { type: "rate_limit_error", message: "usage limit reached" },
        }),
      };
    });
    const dir = await keysProject(t, provider);
    appendFileSync(
      join(dir, "gaffer.toml"),
      `\n[factory]\nheartbeat = "500ms"\nlease = "5s"\nrestart_backoff = "100ms"\n\n[roles.builder]\nconcurrency = 1\n`,
    );
    // The sample project's own items are not this test's.
    for (const sample of [1, 2, 3]) await gaffer(["issue", "close", String(sample)], { cwd: dir });
    const write = (n: number) => `{ write = "notes/${n}.md", content = "note ${n}\\n" }`;
    const first = await fileItem(
      dir,
      scenarioItem(
        "first",
        `[[attempts]]\nsteps = [${calls(provider.authority, 1)}, { sleep = 2000 }, ${write(1)}]`,
      ),
    );
    const second = await fileItem(dir, scenarioItem("second", `[[attempts]]\nsteps = [${write(2)}]`));

    assert.equal((await gaffer(["up"], { cwd: dir, env })).code, 0);
    try {
      const paused = await waitForEvent(dir, "supervisor.backend-paused");
      assert.deepEqual(dataOf(paused).agents, ["scripted"]);
      assert.equal(dataOf(paused).until, resetsAt * 1000);
      const status = await gaffer(["status"], { cwd: dir });
      assert.match(
        status.stdout,
        new RegExp(`plan limit: ${provider.authority} until .* holds scripted back`),
      );

      await waitFor(
        async () => (await record(dir, second).catch(() => undefined))?.run.state === "proposed",
        "the second item's proposal",
        120_000,
      );
      const held = await record(dir, second);
      assert.ok(held.run.createdAt >= resetsAt * 1000, "the second item waited for the reset");
      await waitFor(
        async () => (await record(dir, first)).run.state === "proposed",
        "the first item's proposal",
        120_000,
      );
      const resumed = await record(dir, first);
      const resumedAt = resumed.events.find((event) => event.type === "run.resumed")?.at ?? 0;
      assert.ok(resumedAt >= resetsAt * 1000, "the interrupted run resumed after the reset");
      assert.deepEqual(
        resumed.attempts.map((a) => a.number),
        [1],
        "its attempt was not charged",
      );
    } finally {
      await gaffer(["down"], { cwd: dir });
    }
  });
});
