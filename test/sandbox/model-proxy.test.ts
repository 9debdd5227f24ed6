import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { gzipSync } from "node:zlib";
import type { ModelExchange, ModelRoute } from "../../src/sandbox/index.ts";
import { createRunAuthority } from "../../src/sandbox/model-proxy/authority.ts";
import { startProxy } from "../../src/sandbox/proxy.ts";
import { fakeProvider, PROVIDER_CA } from "../helpers/fake-provider.ts";
import { proxiedRequest } from "../helpers/proxy-client.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

function proxyFor(t: TestContext, routes: ModelRoute[], hosts = routes.map((r) => r.host)) {
  const socketPath = join(tempDir(t), "proxy.sock");
  const exchanges: ModelExchange[] = [];
  const proxy = startProxy(
    socketPath,
    { hosts, models: { routes, upstreamCa: [PROVIDER_CA.certificate] } },
    { onModelExchange: (exchange) => exchanges.push(exchange) },
  );
  t.after(() => proxy.close());
  assert.ok(proxy.certificate, "an authority for the sandbox");
  return { socketPath, exchanges, ca: proxy.certificate };
}

const anthropicRoute = (host: string): ModelRoute => ({
  host,
  api: "anthropic",
  credentials: [
    { variable: "ANTHROPIC_API_KEY", value: "sk-ant-real-key", header: "x-api-key" },
    { variable: "CLAUDE_CODE_OAUTH_TOKEN", value: "oauth-real-token", header: "authorization" },
  ],
});

const STREAM = [
  {
    type: "message_start",
    message: { model: "claude-sonnet-4-5", usage: { input_tokens: 9, output_tokens: 1 } },
  },
  { type: "message_delta", usage: { output_tokens: 4 } },
]
  .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  .join("");

test("a model host's traffic is opened: the agent's credential is replaced by gaffer's, whatever it sent", async (t) => {
  const provider = await fakeProvider(t, () => ({ body: "{}" }));
  const proxy = proxyFor(t, [anthropicRoute(provider.authority)]);
  const send = (headers: Record<string, string>, path = "/v1/messages") =>
    proxiedRequest(proxy.socketPath, provider.authority, { ca: proxy.ca, path, headers, body: "{}" });

  await send({ "x-api-key": "gaffer-placeholder-ANTHROPIC_API_KEY" });
  await send({
    authorization: "Bearer gaffer-placeholder-CLAUDE_CODE_OAUTH_TOKEN",
    "anthropic-beta": "oauth-2025-04-20",
  });
  await send(
    { "x-api-key": "sk-ant-the-agents-own", authorization: "Bearer stolen", "x-goog-api-key": "x" },
    "/v1/messages?key=abc&beta=true",
  );
  await send({});

  const credentials = provider.seen.map(({ path, headers }) => ({
    path,
    apiKey: headers["x-api-key"],
    authorization: headers.authorization,
    goog: headers["x-goog-api-key"],
  }));
  assert.deepEqual(credentials, [
    { path: "/v1/messages", apiKey: "sk-ant-real-key", authorization: undefined, goog: undefined },
    { path: "/v1/messages", apiKey: undefined, authorization: "Bearer oauth-real-token", goog: undefined },
    { path: "/v1/messages?beta=true", apiKey: "sk-ant-real-key", authorization: undefined, goog: undefined },
    { path: "/v1/messages", apiKey: "sk-ant-real-key", authorization: undefined, goog: undefined },
  ]);
  assert.equal(provider.seen[1]?.headers["anthropic-beta"], "oauth-2025-04-20", "other headers pass");
  await waitFor(() => proxy.exchanges.length === 4, "every answer read");
});

test("the agent sees the run's authority, never the provider's certificate, and cannot verify it with another CA", async (t) => {
  const provider = await fakeProvider(t, () => ({ body: "{}" }));
  const proxy = proxyFor(t, [anthropicRoute(provider.authority)]);
  const shown = await proxiedRequest(proxy.socketPath, provider.authority, { ca: proxy.ca });
  assert.equal(shown.status, 200);
  await assert.rejects(
    proxiedRequest(proxy.socketPath, provider.authority, { ca: PROVIDER_CA.certificate }),
    /self[- ]signed|unable to (get|verify)/i,
  );
  const otherRun = createRunAuthority().certificate;
  await assert.rejects(
    proxiedRequest(proxy.socketPath, provider.authority, { ca: otherRun }),
    /unable to (get|verify)|self[- ]signed/i,
  );
});

test("an allowlisted host that is no model host is tunnelled untouched: the provider's certificate, no credential", async (t) => {
  const provider = await fakeProvider(t, () => ({ body: "plain" }));
  const proxy = proxyFor(t, [anthropicRoute("api.anthropic.com")], ["api.anthropic.com", provider.authority]);
  const answer = await proxiedRequest(proxy.socketPath, provider.authority, {
    ca: PROVIDER_CA.certificate,
    headers: { "x-api-key": "gaffer-placeholder-ANTHROPIC_API_KEY" },
  });
  assert.equal(answer.body, "plain");
  assert.equal(provider.seen[0]?.headers["x-api-key"], "gaffer-placeholder-ANTHROPIC_API_KEY");
  assert.deepEqual(proxy.exchanges, []);
});

test("each answer is read for usage, a gzipped stream included, and the agent gets it whole", async (t) => {
  const provider = await fakeProvider(t, ({ path }) =>
    path.includes("gzip")
      ? {
          headers: { "content-type": "text/event-stream", "content-encoding": "gzip" },
          body: gzipSync(STREAM),
        }
      : { headers: { "content-type": "text/event-stream" }, body: STREAM },
  );
  const proxy = proxyFor(t, [anthropicRoute(provider.authority)]);
  const plain = await proxiedRequest(proxy.socketPath, provider.authority, {
    ca: proxy.ca,
    path: "/v1/messages",
  });
  assert.equal(plain.body, STREAM);
  await proxiedRequest(proxy.socketPath, provider.authority, {
    ca: proxy.ca,
    path: "/v1/messages?gzip",
    headers: { "accept-encoding": "gzip, zstd" },
  });
  assert.equal(
    provider.seen[1]?.headers["accept-encoding"],
    "gzip",
    "only encodings gaffer reads are asked for",
  );
  await waitFor(() => proxy.exchanges.length === 2, "both answers read");
  const usage = { input: 9, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  assert.deepEqual(proxy.exchanges, [
    {
      host: provider.authority,
      api: "anthropic",
      method: "POST",
      path: "/v1/messages",
      status: 200,
      model: "claude-sonnet-4-5",
      usage,
    },
    {
      host: provider.authority,
      api: "anthropic",
      method: "POST",
      path: "/v1/messages",
      status: 200,
      model: "claude-sonnet-4-5",
      usage,
    },
  ]);
});

test("a usage-limit answer is passed on and reported with its reset", async (t) => {
  const reset = Math.floor(Date.now() / 1000) + 3600;
  const body = JSON.stringify({
    type: "error",
    error: { type: "rate_limit_error", message: "usage limit reached" },
  });
  const provider = await fakeProvider(t, () => ({
    status: 429,
    headers: {
      "anthropic-ratelimit-unified-status": "rejected",
      "anthropic-ratelimit-unified-reset": String(reset),
    },
    body,
  }));
  const proxy = proxyFor(t, [anthropicRoute(provider.authority)]);
  const answer = await proxiedRequest(proxy.socketPath, provider.authority, {
    ca: proxy.ca,
    path: "/v1/messages",
  });
  assert.equal(answer.status, 429);
  assert.equal(answer.body, body);
  await waitFor(() => proxy.exchanges.length === 1, "the answer read");
  assert.deepEqual(proxy.exchanges[0]?.limit, {
    kind: "plan",
    resetsAt: reset * 1000,
    message: "usage limit reached",
  });
});

test("an upstream that cannot be reached is a 502 to the agent, and no request served", async (t) => {
  const proxy = proxyFor(t, [anthropicRoute("127.0.0.1:1")]);
  const answer = await proxiedRequest(proxy.socketPath, "127.0.0.1:1", {
    ca: proxy.ca,
    path: "/v1/messages",
  });
  assert.equal(answer.status, 502);
  assert.deepEqual(proxy.exchanges, []);
});

test("a route's upstream replaces where the proxy connects; the certificate must name the upstream", async (t) => {
  const provider = await fakeProvider(t, () => ({ body: "{}" }));
  const route = { ...anthropicRoute("api.anthropic.com"), upstream: provider.authority };
  const proxy = proxyFor(t, [route]);
  const answer = await proxiedRequest(proxy.socketPath, "api.anthropic.com:443", {
    ca: proxy.ca,
    path: "/v1/messages",
  });
  assert.equal(answer.status, 200);
  assert.equal(provider.seen[0]?.headers["x-api-key"], "sk-ant-real-key");
  assert.equal(provider.seen[0]?.headers.host, provider.authority);
});

test("a login's token is asked for on each request: the agent's placeholder is replaced by the current one, or a 502 if it cannot be had", async (t) => {
  const provider = await fakeProvider(t, () => ({ body: "{}" }));
  let current = "login-token-1";
  let failing = false;
  const route: ModelRoute = {
    host: provider.authority,
    api: "openai",
    credentials: [
      {
        variable: "ChatGPT login",
        value: "",
        header: "authorization",
        token: async () => {
          if (failing) throw new Error("refresh refused");
          return current;
        },
      },
    ],
  };
  const proxy = proxyFor(t, [route]);
  const send = () =>
    proxiedRequest(proxy.socketPath, provider.authority, {
      ca: proxy.ca,
      path: "/backend-api/codex/responses",
      headers: {
        authorization: "Bearer eyJhbGciOiJub25lIn0.eyJleHAiOjF9.gaffer-placeholder",
        "chatgpt-account-id": "acct-1",
      },
      body: "{}",
    });
  await send();
  current = "login-token-2";
  await send();
  failing = true;
  const refused = await send();
  assert.equal(refused.status, 502);
  assert.match(refused.body, /login .* could not be refreshed/);
  assert.deepEqual(
    provider.seen.map(({ headers }) => [headers.authorization, headers["chatgpt-account-id"]]),
    [
      ["Bearer login-token-1", "acct-1"],
      ["Bearer login-token-2", "acct-1"],
    ],
  );
});

test("a login's token the host refuses (401) is reported, so the next request has a fresh one", async (t) => {
  const provider = await fakeProvider(t, () => ({ status: 401, body: '{"error":"invalid_token"}' }));
  const refused: string[] = [];
  const route: ModelRoute = {
    host: provider.authority,
    api: "gemini",
    credentials: [
      {
        variable: "Google login",
        value: "",
        header: "authorization",
        token: async () => "ya29.revoked",
        rejected: (value) => refused.push(value),
      },
    ],
  };
  const proxy = proxyFor(t, [route]);
  const answer = await proxiedRequest(proxy.socketPath, provider.authority, {
    ca: proxy.ca,
    path: "/v1internal:streamGenerateContent",
    headers: { authorization: "Bearer gaffer-placeholder-GOOGLE_CLOUD_ACCESS_TOKEN" },
    body: "{}",
  });
  assert.equal(answer.status, 401, "the agent sees the refusal");
  assert.deepEqual(refused, ["ya29.revoked"]);
});
