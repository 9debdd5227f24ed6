import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { createSandbox, type ModelExchange, type ModelRoute } from "../../src/sandbox/index.ts";
import { anthropicStream, fakeProvider, PROVIDER_CA } from "../helpers/fake-provider.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { waitFor } from "../helpers/wait.ts";
import { runIn, sandboxFixture } from "./fixture.ts";

const REAL_KEY = "sk-ant-real-key-held-by-gaffer";
const USAGE = { input: 100, output: 20, cacheRead: 30, cacheWrite: 5 };

/** The agent's side: its key variable, the CA variables, a request with Node and one with curl. */
const PROBE = `
const https = require("node:https");
console.log("key=" + process.env.ANTHROPIC_API_KEY);
console.log("node-ca=" + process.env.NODE_EXTRA_CA_CERTS);
const req = https.request("https://" + process.argv[1] + "/v1/messages", {
  method: "POST",
  headers: { "x-api-key": process.env.ANTHROPIC_API_KEY, "content-type": "application/json" },
}, (res) => {
  let body = ""; res.on("data", (c) => (body += c));
  res.on("end", () => console.log("node: " + res.statusCode + " " + (body.includes("message_stop") ? "stream" : body)));
});
req.on("error", (e) => console.log("node error: " + e.message));
req.end("{}");
`;

describe("bwrap sandbox: model credentials stay with gaffer", { skip: sandboxSkip() }, () => {
  test("a model host gets gaffer's key on every request; the sandbox's environment and files hold none", async (t) => {
    const f = sandboxFixture(t);
    const provider = await fakeProvider(t, () => anthropicStream(USAGE));
    const route: ModelRoute = {
      host: provider.authority,
      api: "anthropic",
      credentials: [{ variable: "ANTHROPIC_API_KEY", value: REAL_KEY, header: "x-api-key" }],
    };
    const exchanges: ModelExchange[] = [];
    const policy = f.policy({
      network: {
        mode: "allow",
        hosts: [provider.authority],
        models: { routes: [route], upstreamCa: [PROVIDER_CA.certificate] },
      },
      // Even passed on purpose, the key's variable holds the placeholder inside.
      envAllow: ["PATH", "LANG", "ANTHROPIC_API_KEY"],
    });
    const sandbox = createSandbox(policy, "bwrap", { onModelExchange: (e) => exchanges.push(e) });
    t.after(() => sandbox.close());
    const env = { ...f.env, ANTHROPIC_API_KEY: REAL_KEY };

    const node = await runIn(sandbox, [process.execPath, "-e", PROBE, provider.authority], {
      cwd: f.workspace,
      env,
    });
    assert.deepEqual(node.output.trim().split("\n"), [
      "key=gaffer-placeholder-ANTHROPIC_API_KEY",
      "node-ca=/run/gaffer/runtime/ca.pem",
      "node: 200 stream",
    ]);
    const curl = await runIn(
      sandbox,
      `curl -sS -o /dev/null -w '%{http_code}' -H "x-api-key: $ANTHROPIC_API_KEY" -d '{}' https://${provider.authority}/v1/messages`,
      { cwd: f.workspace, env },
    );
    assert.equal(curl.output.trim(), "200", "curl trusts the run's authority through CURL_CA_BUNDLE");

    assert.deepEqual(
      provider.seen.map((request) => request.headers["x-api-key"]),
      [REAL_KEY, REAL_KEY],
    );
    await waitFor(() => exchanges.length === 2, "both answers read");
    assert.deepEqual(
      exchanges.map((e) => e.usage),
      [1, 2].map(() => ({ input: 100, output: 20, cacheRead: 30, cacheWrite: 5, reasoning: 0 })),
    );

    const search = await runIn(
      sandbox,
      [
        `env; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'`,
        `grep -rl -- '${REAL_KEY}' "$HOME" /tmp /run /dev/shm . 2>/dev/null`,
        "echo found: $(grep -l 'PRIVATE KEY' /run/gaffer/runtime/* 2>/dev/null)",
        "echo listed: $(ls /run/gaffer/runtime)",
      ].join("; "),
      { cwd: f.workspace, env },
    );
    assert.ok(!search.output.includes(REAL_KEY), "the key is nowhere the sandbox can read");
    assert.match(search.output, /ANTHROPIC_API_KEY=gaffer-placeholder-ANTHROPIC_API_KEY/);
    assert.match(search.output, /^found:$/m, "no private key among the files it can read");
    assert.match(search.output, /^listed: ca-bundle\.pem ca\.pem empty proxy\.sock$/m);
  });

  test("loopback is the sandbox's own: an agent's local server is reached directly, never through the proxy", async (t) => {
    const f = sandboxFixture(t);
    const policy = f.policy({ network: { mode: "allow", hosts: ["api.example"] } });
    const sandbox = createSandbox(policy, "bwrap");
    t.after(() => sandbox.close());
    // A server and its client in the sandbox, as opencode talks to itself; curl honours the proxy settings.
    const script = `
      node -e 'require("http").createServer((q, s) => s.end("local")).listen(4096, "127.0.0.1")' &
      for i in $(seq 50); do curl -s http://127.0.0.1:4096/ && break; sleep 0.1; done; echo
      curl -s http://localhost:4096/; echo; kill %1 2>/dev/null`;
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    assert.equal(result.output.trim(), "local\nlocal");
  });

  test("an allowlisted loopback service of the host is forwarded at its own address", async (t) => {
    const f = sandboxFixture(t);
    const server = createServer((_req, res) => res.end("host service"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sandbox = createSandbox(f.policy({ network: { mode: "allow", hosts: [authority] } }), "bwrap");
    t.after(() => sandbox.close());
    const result = await runIn(sandbox, `curl -s http://${authority}/`, { cwd: f.workspace, env: f.env });
    assert.equal(result.output.trim(), "host service");
  });
});
