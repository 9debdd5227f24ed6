/**
 * Runs inside the sandbox (which has no network but loopback) as the parent of the confined
 * command: `node forwarder <proxy socket> <port> <command> [args…]`. It listens on
 * 127.0.0.1:<port>, pipes every connection to gaffer's proxy socket, and only once it listens
 * starts the command, so the command never finds the proxy missing. Self-contained: it is
 * bind-mounted alone into the sandbox, so it imports nothing but node builtins.
 */
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { constants } from "node:os";

const [socketPath = "", port = "", program = "", ...args] = process.argv.slice(2);

const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
});

server.on("error", (error) => {
  process.stderr.write(`gaffer sandbox: the network forwarder cannot listen: ${error.message}\n`);
  process.exit(1);
});

server.listen(Number(port), "127.0.0.1", () => {
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
});
