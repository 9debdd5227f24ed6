/**
 * The real agents end to end, opt-in: `npm run test:agents` installs the pinned CLIs (see
 * scripts/agents-install.ts) and runs this file. For Claude Code, Codex, Gemini CLI and opencode,
 * each over ACP: `gaffer run 1 --agent <name>` in a temporary git project, in gaffer's bubblewrap
 * sandbox (required), whose only reachable host is the fake model server of the agent's provider,
 * behind TLS with its own authority and declared a model host: the agent holds a placeholder, and
 * gaffer's proxy adds the key it keeps. The fake first asks for `git push origin HEAD`, then for the
 * change that makes the gate pass, then answers.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { projectPaths } from "../../src/engine/paths.ts";
import { listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { agentsBin, isInstalled, type RealAgent } from "../../scripts/agents-install.ts";
import { gaffer } from "../helpers/cli.ts";
import { PROVIDER_CA, startFakeProvider } from "../helpers/fake-provider.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";
import { startFakeAnthropic } from "./fake-models/anthropic.ts";
import { startFakeCodeAssist, startFakeGemini } from "./fake-models/gemini.ts";
import { startFakeOpenAi } from "./fake-models/openai.ts";
import { FIX, PROJECT_FILES } from "./fake-models/script.ts";
import type { FakeModelServer } from "./fake-models/server.ts";

/** Anthropic's list prices (USD per million tokens) for the model the Claude run uses. */
const ANTHROPIC_PRICES: Record<
  string,
  { input: number; output: number; cacheWrite: number; cacheRead: number }
> = {
  "claude-sonnet-4-5": { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  // opencode names its small model for side requests (a session title).
  "claude-haiku-4-5": { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
};
/** `[prices]` for the agents that report tokens but no money. */
const PRICES = {
  "gpt-5.5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.075 },
};

/** A Responses or Gemini total read from the wire: input counts the cached tokens, which are priced apart. */
function wireCost(server: FakeModelServer, price: { input: number; output: number; cachedInput: number }) {
  const all = server.reported();
  return {
    requests: server.requests.length,
    inputTokens: all.input - all.cacheRead,
    outputTokens: all.output,
    cachedTokens: all.cacheRead,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd:
      ((all.input - all.cacheRead) * price.input +
        all.cacheRead * price.cachedInput +
        all.output * price.output) /
      1_000_000,
  };
}

const GATE = `[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

interface CostTotal {
  attempts: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpriced: number;
}

/** The key gaffer holds where the model host is behind TLS and the proxy adds it. */
const HELD_KEY = "sk-ant-held-by-gaffer-0123456789";

interface AgentCase {
  agent: RealAgent;
  /** What the case shows beside the agent's name, when an agent has several. */
  variant?: string;
  start(): Promise<FakeModelServer>;
  /** gaffer.toml beyond the gate: the sandbox, and a preset where the built-in one is not used. */
  config(server: FakeModelServer): string;
  /** gaffer's environment: the keys and settings the preset passes into the sandbox. */
  env(server: FakeModelServer): NodeJS.ProcessEnv;
  /** How the tool result the model got back for the push says it was refused. */
  refusal: RegExp;
  /** What `gaffer cost --json` must total, from what the fake server reported. */
  expectedCost(server: FakeModelServer): Omit<CostTotal, "attempts" | "unpriced">;
  /** The key gaffer keeps: the fake is a model host behind TLS, and every request must carry it. */
  heldKey?: string;
  /** What else must hold once the run is over; returns nothing, throws if not. */
  afterRun?(): void;
}

const sandbox = (hosts: string[]) => `[sandbox]\nmode = "required"\nhosts = ${JSON.stringify(hosts)}\n`;

/** A model host of the project's own: the fake behind TLS, its authority trusted by gaffer alone. */
const modelHost = (server: FakeModelServer, api: string) =>
  `\n[models]\nca = ["provider-ca.pem"]\n\n[models.hosts."${server.host}"]\napi = "${api}"\n`;

const CASES: AgentCase[] = [
  {
    // The built-in preset: everything comes from the environment it passes in. The key stays with
    // gaffer: Claude Code holds a placeholder and trusts the run's authority (NODE_EXTRA_CA_CERTS).
    agent: "claude",
    start: () => startFakeAnthropic({ tls: true }),
    config: (server) => sandbox([server.host]) + modelHost(server, "anthropic"),
    env: (server) => ({
      ANTHROPIC_API_KEY: HELD_KEY,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_MODEL: "claude-sonnet-4-5",
      ...(userInfo().uid === 0 && { IS_SANDBOX: "1" }),
    }),
    refusal: /Permission to use Bash with command git push origin HEAD has been denied/,
    heldKey: HELD_KEY,
    expectedCost(server) {
      // Read from the wire: every request served, side requests (a session title) included, by class.
      const all = server.reported();
      return {
        requests: server.requests.length,
        inputTokens: all.input,
        outputTokens: all.output,
        cachedTokens: all.cacheRead,
        cacheWriteTokens: all.cacheWrite,
        reasoningTokens: 0,
        costUsd: anthropicCost(server),
      };
    },
  },
  {
    // A Claude subscription: the OAuth token of `claude setup-token`, kept by gaffer like a key and
    // added as the Bearer token Claude Code sends for it.
    agent: "claude",
    variant: "subscription token",
    start: () => startFakeAnthropic({ tls: true }),
    config: (server) => sandbox([server.host]) + modelHost(server, "anthropic"),
    env: (server) => ({
      CLAUDE_CODE_OAUTH_TOKEN: HELD_KEY,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_MODEL: "claude-sonnet-4-5",
      ...(userInfo().uid === 0 && { IS_SANDBOX: "1" }),
    }),
    refusal: /Permission to use Bash with command git push origin HEAD has been denied/,
    heldKey: `Bearer ${HELD_KEY}`,
    expectedCost(server) {
      const all = server.reported();
      return {
        requests: server.requests.length,
        inputTokens: all.input,
        outputTokens: all.output,
        cachedTokens: all.cacheRead,
        cacheWriteTokens: all.cacheWrite,
        reasoningTokens: 0,
        costUsd: anthropicCost(server),
      };
    },
  },
  {
    // A preset of the user's own, as docs/AGENTS.md shows it: the model is named for pricing.
    agent: "codex",
    start: () => startFakeOpenAi({ tls: true }),
    config: (server) =>
      `${sandbox([])}${modelHost(server, "openai")}
[agents.codex]
driver = "acp"
command = ["codex-acp"]
model = "gpt-5.5"
pass_env = ["OPENAI_API_KEY"]
hosts = ["${server.host}"]
env = { INITIAL_AGENT_MODE = "agent-full-access", DEFAULT_AUTH_REQUEST = '{"methodId":"api-key"}', CODEX_CONFIG = '${codexConfig(server)}' }

[prices."gpt-5.5"]
input = ${PRICES["gpt-5.5"].input}
output = ${PRICES["gpt-5.5"].output}
cached_input = ${PRICES["gpt-5.5"].cachedInput}
`,
    env: () => ({ OPENAI_API_KEY: HELD_KEY }),
    refusal: /rejected: denied by gaffer policy: git push/,
    heldKey: `Bearer ${HELD_KEY}`,
    // Every request, the side requests Codex makes when it has time to included.
    expectedCost: (server) => wireCost(server, PRICES["gpt-5.5"]),
  },
  {
    // The user's ChatGPT login (Codex's auth.json in gaffer's CODEX_HOME) held by gaffer: Codex gets
    // a copy with placeholders and talks to chatgpt.com, which the proxy sends to the fake.
    agent: "codex",
    variant: "ChatGPT login",
    start: () => startFakeOpenAi({ tls: true }),
    config: (server) =>
      `${sandbox([])}
[models]
ca = ["provider-ca.pem"]
logins = ["chatgpt"]

[models.hosts."chatgpt.com"]
api = "openai"
upstream = "${server.host}"

[agents.codex]
driver = "acp"
command = ["codex-acp"]
model = "gpt-5.5"
hosts = ["chatgpt.com"]
env = { INITIAL_AGENT_MODE = "agent-full-access", CODEX_CONFIG = '${chatgptCodexConfig()}' }

[prices."gpt-5.5"]
input = ${PRICES["gpt-5.5"].input}
output = ${PRICES["gpt-5.5"].output}
cached_input = ${PRICES["gpt-5.5"].cachedInput}
`,
    env: () => ({
      CODEX_HOME: CODEX_LOGIN_HOME,
      CODEX_REFRESH_TOKEN_URL_OVERRIDE: `https://${CHATGPT_AUTH.authority}/oauth/token`,
    }),
    refusal: /rejected: denied by gaffer policy: git push/,
    // The login's token was about to expire: gaffer refreshed it once, and every request had the new one.
    heldKey: `Bearer ${HELD_KEY}`,
    expectedCost: (server) => wireCost(server, PRICES["gpt-5.5"]),
    afterRun() {
      assert.equal(CHATGPT_AUTH.seen.length, 1, "one refresh, by gaffer");
      assert.equal(JSON.parse(CHATGPT_AUTH.seen[0]?.body ?? "{}").refresh_token, "rt-held-by-gaffer");
      const saved = JSON.parse(readFileSync(join(CODEX_LOGIN_HOME, "auth.json"), "utf8"));
      assert.equal(saved.tokens.access_token, HELD_KEY, "the refreshed token is saved for the user's Codex");
      assert.equal(saved.tokens.refresh_token, "rt-rotated");
    },
  },
  {
    agent: "gemini",
    start: () => startFakeGemini({ tls: true }),
    config: (server) =>
      `${sandbox([])}${modelHost(server, "gemini")}
[agents.gemini]
driver = "acp"
command = ["gemini", "--acp", "--model", "{model}"]
model = "gemini-2.5-flash"
pass_env = ["GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"]
hosts = ["${server.host}"]

[prices."gemini-2.5-flash"]
input = ${PRICES["gemini-2.5-flash"].input}
output = ${PRICES["gemini-2.5-flash"].output}
cached_input = ${PRICES["gemini-2.5-flash"].cachedInput}
`,
    env: (server) => ({ GEMINI_API_KEY: HELD_KEY, GOOGLE_GEMINI_BASE_URL: server.url }),
    refusal: /denied by policy/,
    heldKey: HELD_KEY,
    // Every request (its routing and next-speaker checks included), cached tokens told apart.
    expectedCost: (server) => wireCost(server, PRICES["gemini-2.5-flash"]),
  },
  {
    // The user's Google login (Gemini CLI's oauth_creds.json under gaffer's GEMINI_CLI_HOME) held by
    // gaffer: Gemini CLI gets a placeholder token and talks to Code Assist, which the proxy sends to the fake.
    agent: "gemini",
    variant: "Google login",
    start: () => startFakeCodeAssist({ tls: true }),
    config: (server) =>
      `${sandbox(["cloudcode-pa.googleapis.com"])}
[models]
ca = ["provider-ca.pem"]
logins = ["google"]

[models.hosts."cloudcode-pa.googleapis.com"]
api = "gemini"
upstream = "${server.host}"

[agents.gemini]
driver = "acp"
command = ["gemini", "--acp", "--model", "{model}"]
model = "gemini-2.5-flash"

[prices."gemini-2.5-flash"]
input = ${PRICES["gemini-2.5-flash"].input}
output = ${PRICES["gemini-2.5-flash"].output}
cached_input = ${PRICES["gemini-2.5-flash"].cachedInput}
`,
    env: () => ({ GEMINI_CLI_HOME: googleLogin() }),
    refusal: /denied by policy/,
    heldKey: `Bearer ${HELD_KEY}`,
    expectedCost: (server) => wireCost(server, PRICES["gemini-2.5-flash"]),
  },
  {
    // opencode talks to a server of its own on loopback, which the sandbox keeps out of the proxy.
    agent: "opencode",
    start: () => startFakeAnthropic({ tls: true }),
    config: (server) =>
      `${sandbox([])}${modelHost(server, "anthropic")}
[agents.opencode]
driver = "acp"
command = ["opencode", "acp"]
pass_env = ["ANTHROPIC_API_KEY", "OPENCODE_CONFIG_CONTENT"]
hosts = ["${server.host}"]
`,
    env: (server) => ({
      ANTHROPIC_API_KEY: HELD_KEY,
      OPENCODE_CONFIG_CONTENT: JSON.stringify({
        model: "anthropic/claude-sonnet-4-5",
        provider: { anthropic: { options: { baseURL: `${server.url}/v1` } } },
      }),
    }),
    refusal: /The user has specified a rule which prevents you from using this specific tool call/,
    heldKey: HELD_KEY,
    expectedCost(server) {
      const all = server.reported();
      return {
        requests: server.requests.length,
        inputTokens: all.input,
        outputTokens: all.output,
        cachedTokens: all.cacheRead,
        cacheWriteTokens: all.cacheWrite,
        reasoningTokens: 0,
        costUsd: anthropicCost(server),
      };
    },
  },
];

function codexConfig(server: FakeModelServer): string {
  // A provider of its own: the built-in one first tries a WebSocket, which the fake does not speak.
  const provider = {
    name: "fake",
    base_url: `${server.url}/v1`,
    wire_api: "responses",
    env_key: "OPENAI_API_KEY",
    supports_websockets: false,
  };
  return JSON.stringify({ model: "gpt-5.5", model_provider: "fake", model_providers: { fake: provider } });
}

/**
 * Codex's own provider for a ChatGPT login (its built-in one first tries a WebSocket, which the fake
 * does not speak): the login's auth, chatgpt.com's Codex backend.
 */
function chatgptCodexConfig(): string {
  const provider = {
    name: "chatgpt",
    base_url: "https://chatgpt.com/backend-api/codex",
    wire_api: "responses",
    requires_openai_auth: true,
    supports_websockets: false,
  };
  return JSON.stringify({
    model: "gpt-5.5",
    model_provider: "chatgpt",
    model_providers: { chatgpt: provider },
  });
}

/** OpenAI's token endpoint as Codex uses it: a refresh gives the key the fake must see, and a new refresh token. */
const CHATGPT_AUTH = await startFakeProvider(() => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ access_token: HELD_KEY, refresh_token: "rt-rotated" }),
}));

/**
 * A CODEX_HOME of gaffer's user signed in with ChatGPT, its access token a minute from expiring:
 * gaffer refreshes it before the first request.
 */
const CODEX_LOGIN_HOME = codexLogin();

function codexLogin(): string {
  const dir = mkdtempSync(join(tmpdir(), "gaffer-agents-codex-login-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = {
    email: "dev@example.com",
    "https://api.openai.com/auth": { chatgpt_plan_type: "plus", chatgpt_account_id: "acct-e2e" },
  };
  const auth = {
    auth_mode: "chatgpt",
    tokens: {
      id_token: `${part({ alg: "RS256" })}.${part(claims)}.signature`,
      access_token: `${part({ alg: "RS256" })}.${part({ exp: Math.floor(Date.now() / 1000) + 60 })}.expiring`,
      refresh_token: "rt-held-by-gaffer",
      account_id: "acct-e2e",
    },
    last_refresh: new Date().toISOString(),
  };
  writeFileSync(join(dir, "auth.json"), JSON.stringify(auth), { mode: 0o600 });
  return dir;
}

/** A GEMINI_CLI_HOME of gaffer's user signed in with Google; its access token is the key the fake must see. */
function googleLogin(): string {
  const dir = mkdtempSync(join(tmpdir(), "gaffer-agents-google-login-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, ".gemini"));
  const credentials = {
    access_token: HELD_KEY,
    refresh_token: "1//held-by-gaffer",
    token_type: "Bearer",
    expiry_date: Date.now() + 3_600_000,
  };
  writeFileSync(join(dir, ".gemini", "oauth_creds.json"), JSON.stringify(credentials), { mode: 0o600 });
  return dir;
}

/** Anthropic's bill for every request the fake served, each at its own model's prices (a dated snapshot as its model). */
function anthropicCost(server: FakeModelServer): number {
  let perMillion = 0;
  for (const { body, usage } of server.requests) {
    if (!usage) continue;
    const model = ((body as { model?: string } | undefined)?.model ?? "claude-sonnet-4-5").replace(
      /-\d{8}$/,
      "",
    );
    const price = ANTHROPIC_PRICES[model];
    if (!price) throw new Error(`no price for ${model} in the test`);
    perMillion +=
      usage.input * price.input +
      usage.output * price.output +
      usage.cacheWrite * price.cacheWrite +
      usage.cacheRead * price.cacheRead;
  }
  return perMillion / 1_000_000;
}

/** A Node ≥ 22 and the installed agents first on PATH. */
function agentPath(): string {
  return `${dirname(process.execPath)}:${agentsBin()}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

async function runEvents(dir: string) {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store, "a store");
  try {
    const [run] = await listRuns(store.db, { itemId: 1 });
    assert.ok(run, "a run");
    return { run, events: await listEvents(store.db, { runId: run.id }) };
  } finally {
    await store.close();
  }
}

for (const spec of CASES) {
  describe(
    `real agent over ACP: ${spec.agent}${spec.variant ? ` (${spec.variant})` : ""}`,
    { skip: !isInstalled(spec.agent) && "not installed" },
    () => {
      let server: FakeModelServer;
      before(async () => {
        server = await spec.start();
      });
      after(() => server.close());

      it("turns the item into a proposal, is refused its git push, and costs what the model server reported", async (t: TestContext) => {
        const dir = gitRepo(t, {
          ...PROJECT_FILES,
          "gaffer.toml": `${GATE}\n${spec.config(server)}`,
          "provider-ca.pem": PROVIDER_CA.certificate,
        });
        const env = { PATH: agentPath(), ...spec.env(server) };
        const filed = await gaffer(
          ["issue", "add", "Make answer() return 42", "-b", "answer() must return 42."],
          {
            cwd: dir,
          },
        );
        assert.equal(filed.code, 0, filed.stderr);

        const started = Date.now();
        const result = await gaffer(["run", "1", "--agent", spec.agent, "--plain"], { cwd: dir, env });
        t.diagnostic(`gaffer run took ${Date.now() - started} ms`);
        assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
        assert.match(result.stdout, /proposal ready on branch/);

        // The proposal holds the agent's change, and the gate ran green on it.
        const { run, events } = await runEvents(dir);
        assert.equal(run.state, "proposed");
        const ready = events.find((event) => event.type === "workspace.ready");
        assert.equal((ready?.data as { sandbox?: string } | undefined)?.sandbox, "bwrap");
        assert.equal(gitOut(dir, "show", `${run.branch}:${FIX.path}`), FIX.content.trim());
        assert.ok(events.some((event) => event.type === "gate.passed"));

        // The push was refused by the agent's own rules that gaffer wrote, the model was told so,
        // and nothing reached the project: its only new branch is the proposal.
        assert.ok(events.some((event) => event.type === "guard.agent-rules"));
        const sent = JSON.stringify(server.requests.map((request) => request.body));
        assert.match(sent, spec.refusal);
        assert.deepEqual(
          gitOut(dir, "for-each-ref", "--format=%(refname)", "refs/heads").split("\n").sort(),
          ["refs/heads/main", `refs/heads/${run.branch}`].sort(),
        );
        // The push was the agent's first tool call: where the agent reports refused calls, it ended failed.
        const toolEvents = events.filter((event) => event.type.startsWith("agent.tool-call"));
        const first = toolEvents[0]?.data as { id?: string; title?: string } | undefined;
        if (spec.agent === "codex") {
          // codex-acp shows no tool call for a command its execpolicy rules forbid: the first is the fix.
          assert.match(first?.title ?? "", /answer\.js/);
        } else {
          const failed = toolEvents.some(
            (event) =>
              event.type === "agent.tool-call-update" &&
              (event.data as { id?: string }).id === first?.id &&
              (event.data as { status?: string }).status === "failed",
          );
          assert.ok(failed, `the push (tool call ${first?.id}) is recorded as failed`);
        }

        if (spec.heldKey) {
          // Every request carried gaffer's key, added by its proxy; the agent never had it to send.
          const credentials = new Set(server.requests.map((request) => request.credential));
          assert.deepEqual([...credentials], [spec.heldKey]);
          assert.ok(!JSON.stringify(server.requests.map((r) => r.body)).includes(HELD_KEY));
          const keys = events.find((event) => event.type === "sandbox.model-keys");
          assert.deepEqual((keys?.data as { passed?: string[] } | undefined)?.passed, []);
        }

        // `gaffer cost` totals exactly what the fake server reported.
        const cost = await gaffer(["cost", "--json"], { cwd: dir });
        assert.equal(cost.code, 0, cost.stderr);
        const { total } = JSON.parse(cost.stdout) as { total: CostTotal };
        const expected = spec.expectedCost(server);
        assert.deepEqual(
          { ...total, costUsd: undefined },
          { ...expected, attempts: 1, unpriced: 0, costUsd: undefined },
        );
        assert.ok(
          Math.abs(total.costUsd - expected.costUsd) < 1e-11,
          `${total.costUsd} ≠ ${expected.costUsd}`,
        );
        spec.afterRun?.();
      });
    },
  );
}
