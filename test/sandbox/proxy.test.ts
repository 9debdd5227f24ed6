import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { hostAllowed, parseAuthority } from "../../src/sandbox/hosts.ts";
import { startProxy } from "../../src/sandbox/proxy.ts";
import type { NetworkDenial } from "../../src/sandbox/types.ts";
import { tempDir } from "../helpers/tmp.ts";

test("the allowlist matches exact hosts, host:port and *.domain wildcards", () => {
  const allow = ["api.example.com", "registry.npmjs.org:443", "*.githubusercontent.com", "[::1]:8080"];
  const cases: [string, number, boolean][] = [
    ["api.example.com", 443, true],
    ["API.Example.com.", 80, true],
    ["example.com", 443, false],
    ["evil-api.example.com", 443, false],
    ["registry.npmjs.org", 443, true],
    ["registry.npmjs.org", 80, false],
    ["raw.githubusercontent.com", 443, true],
    ["githubusercontent.com", 443, false],
    ["evilgithubusercontent.com", 443, false],
    ["::1", 8080, true],
    ["::1", 8081, false],
  ];
  for (const [host, port, expected] of cases)
    assert.equal(hostAllowed(allow, host, port), expected, `${host}:${port}`);
});

test("authorities parse with and without ports, bracketed IPv6 included", () => {
  assert.deepEqual(parseAuthority("Example.com:8443"), { host: "example.com", port: 8443 });
  assert.deepEqual(parseAuthority("example.com"), { host: "example.com", port: undefined });
  assert.deepEqual(parseAuthority("[::1]:443"), { host: "::1", port: 443 });
  assert.deepEqual(parseAuthority("::1"), { host: "::1", port: undefined });
  assert.equal(parseAuthority("example.com:https"), undefined);
  assert.equal(parseAuthority(""), undefined);
});

test("the proxy refuses an unlisted CONNECT with 403, reports it, and stops on close", async (t) => {
  const socketPath = join(tempDir(t), "proxy.sock");
  const denials: NetworkDenial[] = [];
  const proxy = startProxy(
    socketPath,
    { hosts: ["allowed.example"] },
    { onNetworkDenied: (denial) => denials.push(denial) },
  );
  const connectStatus = () =>
    new Promise<number | string>((resolve) => {
      const req = request({ socketPath, method: "CONNECT", path: "other.example:8443" });
      req.on("connect", (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      req.end();
    });
  assert.equal(await connectStatus(), 403);
  assert.deepEqual(denials, [{ host: "other.example", port: 8443, method: "CONNECT" }]);
  await proxy.close();
  await proxy.close();
  assert.match(String(await connectStatus()), /ENOENT|ECONNREFUSED/);
});

test("plain-HTTP requests in a row all reach a server that answers keep-alive", async (t) => {
  const bodies: string[] = [];
  const upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      // A streaming API's answer: chunked, keep-alive, whatever the request asked for.
      res.writeHead(200, { "content-type": "text/event-stream", connection: "keep-alive" });
      res.end(`data: ${body}\n\n`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  t.after(() => upstream.close());
  const { port } = upstream.address() as AddressInfo;
  const socketPath = join(tempDir(t), "proxy.sock");
  const proxy = startProxy(socketPath, { hosts: [`127.0.0.1:${port}`] });
  t.after(() => proxy.close());
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          socketPath,
          method: "POST",
          path: `http://127.0.0.1:${port}/v1/responses`,
          headers: { host: `127.0.0.1:${port}` },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  for (const body of ["one", "two", "three"])
    assert.deepEqual(await post(body), { status: 200, text: `data: ${body}\n\n` });
  assert.deepEqual(bodies, ["one", "two", "three"]);
});
