import assert from "node:assert/strict";
import { type Server, createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { describe, test } from "node:test";
import { createSandbox } from "../../src/sandbox/index.ts";
import type { NetworkDenial } from "../../src/sandbox/index.ts";
import { runIn, sandboxFixture } from "./fixture.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

async function listen(
  t: { after: (fn: () => void) => void },
  server: Server | ReturnType<typeof createTcpServer>,
) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}

const PROBE_NONE = `
const net = require("node:net");
const dns = require("node:dns");
const socket = net.connect(Number(process.argv[1]), "127.0.0.1");
socket.on("connect", () => { console.log("tcp: connected"); socket.destroy(); });
socket.on("error", (error) => console.log("tcp:", error.code));
dns.lookup("example.com", (error) => console.log("dns:", error ? "failed" : "resolved"));
`;

/** Through HTTP_PROXY: a plain absolute-URI GET and a CONNECT tunnel to each of two authorities. */
const PROBE_ALLOW = `
const http = require("node:http");
const proxy = new URL(process.env.HTTP_PROXY);
const via = { host: proxy.hostname, port: Number(proxy.port) };
const get = (authority) => new Promise((done) => {
  const req = http.request({ ...via, path: "http://" + authority + "/plain" }, (res) => {
    let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => done("GET " + res.statusCode + " " + body.split("\\n")[0]));
  });
  req.on("error", (e) => done("GET error " + e.message)); req.end();
});
const tunnel = (authority) => new Promise((done) => {
  const req = http.request({ ...via, method: "CONNECT", path: authority });
  req.on("connect", (res, socket) => {
    if (res.statusCode !== 200) { socket.destroy(); return done("CONNECT " + res.statusCode); }
    let raw = ""; socket.on("data", (c) => (raw += c)); socket.on("end", () => done("CONNECT 200 " + raw.split("\\r\\n\\r\\n")[1].trim()));
    socket.write("GET /tunnel HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n");
  });
  req.on("error", (e) => done("CONNECT error " + e.message)); req.end();
});
(async () => {
  console.log("NO_PROXY=" + process.env.NO_PROXY);
  for (const authority of process.argv.slice(1)) console.log(await get(authority), "|", await tunnel(authority));
})();
`;

describe("bwrap sandbox: network", { skip: sandboxSkip() }, () => {
  test("network none: no TCP to the host's loopback, no DNS", async (t) => {
    const f = sandboxFixture(t);
    const port = await listen(
      t,
      createTcpServer((socket) => socket.end()),
    );
    const sandbox = createSandbox(f.policy({ network: { mode: "none" } }), "bwrap");
    t.after(() => sandbox.close());
    const argv = [process.execPath, "-e", PROBE_NONE, String(port)];
    const result = await runIn(sandbox, argv, { cwd: f.workspace, env: f.env });
    assert.deepEqual(result.output.trim().split("\n").sort(), ["dns: failed", "tcp: ECONNREFUSED"]);
  });

  test("network allow: allowlisted hosts pass through the proxy; others get 403 and are reported", async (t) => {
    const f = sandboxFixture(t);
    const upstream = createHttpServer((req, res) => res.end(`upstream saw ${req.url}\n`));
    const port = await listen(t, upstream);
    const denials: NetworkDenial[] = [];
    const policy = f.policy({ network: { mode: "allow", hosts: [`127.0.0.1:${port}`] } });
    const sandbox = createSandbox(policy, "bwrap", { onNetworkDenied: (denial) => denials.push(denial) });
    t.after(() => sandbox.close());
    const argv = [process.execPath, "-e", PROBE_ALLOW, `127.0.0.1:${port}`, "denied.example"];
    const result = await runIn(sandbox, argv, { cwd: f.workspace, env: f.env });
    assert.deepEqual(result.output.trim().split("\n"), [
      "NO_PROXY=localhost,127.0.0.1,::1",
      "GET 200 upstream saw /plain | CONNECT 200 upstream saw /tunnel",
      "GET 403 gaffer sandbox: denied.example is not on the network allowlist | CONNECT 403",
    ]);
    assert.deepEqual(denials, [
      { host: "denied.example", port: 80, method: "GET" },
      { host: "denied.example", port: 443, method: "CONNECT" },
    ]);
  });
});
