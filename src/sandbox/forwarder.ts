/**
 * Runs inside the sandbox (which has no network but loopback) as the parent of the confined
 * command: `node forwarder <proxy socket> <port> <loopback forwards> <command> [args…]`. It listens
 * on 127.0.0.1:<port> and pipes every connection to gaffer's proxy socket. Each of the loopback
 * forwards (`127.0.0.1:8080,[::1]:9000`, or `-` for none) is a host-side loopback service on the
 * allowlist: it listens at that same address inside and relays each connection as a CONNECT through
 * the proxy, so programs reach it without proxy settings (which never capture loopback). Only once
 * it listens everywhere does it start the command, so the command never finds the proxy missing.
 * Self-contained: it is bind-mounted alone into the sandbox, so it imports nothing but node builtins.
 */
import { spawn } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";

const [socketPath = "", port = "", forwards = "-", program = "", ...args] = process.argv.slice(2);

/** A CONNECT answer longer than this is not a proxy's. */
const MAX_ANSWER_HEAD = 16 * 1024;

function relay(client: Socket, authority?: string): void {
  const upstream = connect(socketPath);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  if (authority === undefined) {
    client.pipe(upstream).pipe(client);
    return;
  }
  upstream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  let head = Buffer.alloc(0);
  const onAnswer = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_ANSWER_HEAD) upstream.destroy();
      return;
    }
    upstream.off("data", onAnswer);
    if (!/^HTTP\/1\.[01] 200 /.test(head.toString("latin1", 0, 13))) {
      client.destroy();
      upstream.destroy();
      return;
    }
    const rest = head.subarray(end + 4);
    if (rest.length > 0) client.write(rest);
    client.pipe(upstream).pipe(client);
  };
  upstream.on("data", onAnswer);
}

/** `127.0.0.1:8080` or `[::1]:9000` → where to listen inside, and the authority asked of the proxy. */
function loopbackForward(authority: string): { host: string; port: number; authority: string } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(authority);
  if (!match) return undefined;
  const name = match[1] ?? match[2] ?? "";
  const host = name === "localhost" ? "127.0.0.1" : name;
  return { host, port: Number(match[3]), authority };
}

function listen(server: Server, listenPort: number, host: string): Promise<void> {
  return new Promise((resolve) => {
    server.on("error", (error) => {
      process.stderr.write(
        `gaffer sandbox: the network forwarder cannot listen on ${host}:${listenPort}: ${error.message}\n`,
      );
      process.exit(1);
    });
    server.listen(listenPort, host, resolve);
  });
}

const listening = [
  listen(
    createServer((client) => relay(client)),
    Number(port),
    "127.0.0.1",
  ),
];
for (const entry of forwards === "-" ? [] : forwards.split(",")) {
  const forward = loopbackForward(entry);
  if (forward)
    listening.push(
      listen(
        createServer((client) => relay(client, forward.authority)),
        forward.port,
        forward.host,
      ),
    );
}

await Promise.all(listening);
const child = spawn(program, args, { stdio: "inherit" });
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => {
  process.stderr.write(`gaffer sandbox: cannot start ${program}: ${error.message}\n`);
  process.exit(127);
});
// Exit as a shell (and bwrap) would report the command: its code, or 128 + its signal.
child.on("exit", (code, signal) => process.exit(signal ? 128 + constants.signals[signal] : (code ?? 1)));
