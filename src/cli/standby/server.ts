import { lstatSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";
import { dirname, resolve } from "node:path";
import { Writable } from "node:stream";
import { readConfig } from "../../config/index.ts";
import { readyForRuns } from "../../engine/index.ts";
import { EXIT, GafferError } from "../../errors.ts";
import { errorReport } from "../../util/index.ts";
import { resolveProjectRoot } from "../../workspace/index.ts";
import {
  type ClientMessage,
  FORWARDED_SIGNALS,
  line,
  messageOf,
  OUTPUT_CHUNK,
  readMessages,
  runCommandDir,
  type StandbyMessage,
  startMessage,
  type StartMessage,
  type StreamFacts,
} from "./protocol.ts";
import { pingStandby } from "./start.ts";
import { privateDirectory, standbySocket } from "./socket.ts";

/** A standby nobody used in this long goes away. */
const IDLE_MS = 30 * 60 * 1000;
/**
 * What Node and gaffer read once, as a process starts: a caller whose values differ runs its
 * command itself, since the standby started with its own.
 */
const READ_AT_START = [
  "NODE_OPTIONS",
  "NODE_EXTRA_CA_CERTS",
  "UV_THREADPOOL_SIZE",
  "TMPDIR",
  "GIT_EXEC_PATH",
  "LANG",
  "LC_ALL",
];

/**
 * `gaffer standby`: keeps this process ready, gaffer's run command loaded, to run the next
 * `gaffer run` of this user in its place (see runInStandby). It serves one command, as if it were
 * the process started for it (its directory, environment, output and signals), and exits (that
 * run starts the next standby); unused for 30 minutes, it exits too.
 */
export async function standby(): Promise<number> {
  const path = standbySocket(process.env);
  if (path === undefined) {
    throw new GafferError(
      "usage",
      "a standby process runs only from gaffer's build, and not with GAFFER_STANDBY=off",
      "run `npm run build`",
    );
  }
  if (!privateDirectory(dirname(path))) {
    throw new GafferError(
      "invalid-input",
      `${dirname(path)} is not a directory only this user can enter`,
      "remove it; gaffer makes it again, private",
    );
  }
  const atStart = { ...process.env };
  await import("../commands/run.ts");
  await readyForRuns();
  const server = await listening(path);
  if (typeof server === "number") {
    // Another standby answers there: whoever started this one is told of it.
    process.stdout.write(`ready ${server}\n`);
    return 0;
  }
  const ours = lstatSync(path).ino;
  const release = () => {
    server.close();
    // Only our own socket: a successor may already listen at the path.
    if (lstatSync(path, { throwIfNoEntry: false })?.ino === ours) unlinkSync(path);
  };
  const idle = setTimeout(() => {
    release();
    process.exit(0);
  }, IDLE_MS);
  process.stdout.write(`ready ${process.pid}\n`);
  return new Promise<number>(() => {
    let taken = false;
    server.on("connection", (socket) => {
      socket.on("error", () => undefined);
      let heard = false;
      readMessages(
        socket,
        (message) => {
          // One message a connection; a start's signals are read by serve.
          if (heard) return;
          heard = true;
          const start = startMessage(message);
          if (messageOf<ClientMessage>(message)?.type === "ping") {
            send(socket, { type: "ready", pid: process.pid });
            socket.end();
          } else if (start && !taken) {
            taken = true;
            void accepts(start, atStart).then((yes) => {
              // The caller may have gone while it was looked at: then nothing runs.
              if (!yes || socket.destroyed || !socket.writable) {
                taken = false;
                send(socket, { type: "declined" });
                socket.end();
                return;
              }
              clearTimeout(idle);
              release();
              serve(start, socket);
            });
          } else {
            socket.end();
          }
        },
        () => socket.destroy(),
      );
    });
  });
}

/**
 * Whether this standby runs the command: a `gaffer run` in a project with warm workspaces (it is
 * part of keeping runs warm), from a caller whose start-time settings are this process's. Anything
 * else, or a project that cannot be read, its caller runs itself, as it always does.
 */
async function accepts(start: StartMessage, atStart: NodeJS.ProcessEnv): Promise<boolean> {
  const dir = runCommandDir(start.argv);
  if (dir === undefined) return false;
  if (READ_AT_START.some((name) => start.env[name] !== atStart[name])) return false;
  try {
    const root = await resolveProjectRoot(resolve(start.cwd, dir));
    return (await readConfig(root, { remember: false, env: start.env })).workspace.warm > 0;
  } catch {
    return false;
  }
}

/**
 * Listens at `path`; when another live standby already does, its pid. It listens at a name of
 * its own first and renames it into place, so two standbys starting at once never remove each
 * other's socket.
 */
async function listening(path: string): Promise<Server | number> {
  const own = `${path}.${process.pid}`;
  rmSync(own, { force: true });
  const server = createServer();
  await new Promise<void>((done, failed) => {
    server.once("error", failed);
    server.listen(own, () => done());
  });
  const other = await pingStandby(path);
  if (other !== undefined) {
    server.close();
    rmSync(own, { force: true });
    return other;
  }
  // Replaces a dead standby's socket, if one is left.
  renameSync(own, path);
  return server;
}

/** Runs the command line as the process started for it would, then exits. */
function serve(start: StartMessage, socket: Socket): void {
  const exit = process.exit.bind(process);
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    send(socket, { type: "exit", code });
    if (socket.destroyed) exit(code);
    else socket.end(() => exit(code));
  };
  try {
    adopt(start, socket);
  } catch {
    // Not taken yet: the caller runs the command itself, and meets the same problem there.
    send(socket, { type: "declined" });
    socket.end(() => exit(0));
    return;
  }
  send(socket, { type: "accepted", pid: process.pid });
  // A command that quits at once (a second Ctrl-C) still tells its caller how it ended.
  process.exit = ((code?: number | string | null) =>
    finish(Number(code ?? process.exitCode ?? 0))) as typeof process.exit;
  const failed = (error: unknown) => {
    const report = errorReport(error);
    process.stderr.write(report.lines.map((text) => `${text}\n`).join(""));
    finish(EXIT.software);
  };
  process.on("uncaughtException", failed);
  process.on("unhandledRejection", failed);
  const signal = (name: (typeof FORWARDED_SIGNALS)[number]) => {
    if (process.listenerCount(name) > 0) process.emit(name);
    else finish(128 + constants.signals[name]);
  };
  readMessages(
    socket,
    (message) => {
      const said = messageOf<ClientMessage>(message);
      if (said?.type === "signal" && FORWARDED_SIGNALS.includes(said.signal)) signal(said.signal);
    },
    () => undefined,
  );
  // The caller went away (killed, its terminal gone): its run is stopped as `kill` would stop it.
  socket.on("close", () => {
    if (!finished) signal("SIGTERM");
  });
  void import("../main.ts").then(({ main }) => main(start.argv)).then(finish, failed);
}

/** Takes on the caller's directory, umask, environment, arguments and output streams. */
function adopt(start: StartMessage, socket: Socket): void {
  process.chdir(start.cwd);
  process.umask(start.umask & 0o777);
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, start.env);
  process.argv = [...start.argv];
  for (const [name, fd] of [
    ["stdout", 1],
    ["stderr", 2],
  ] as const) {
    const stream = outputTo(socket, fd, start[name]);
    Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
  }
}

function outputTo(socket: Socket, fd: 1 | 2, facts: StreamFacts): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const bytes = Buffer.from(chunk);
      for (let at = 0; at < bytes.length; at += OUTPUT_CHUNK) {
        send(socket, { type: "output", fd, data: bytes.subarray(at, at + OUTPUT_CHUNK).toString("base64") });
      }
      done();
    },
  });
  return Object.assign(stream, {
    fd,
    isTTY: facts.isTTY,
    columns: facts.columns ?? 80,
  }) as unknown as NodeJS.WriteStream;
}

function send(socket: Socket, message: StandbyMessage): void {
  if (!socket.destroyed) socket.write(line(message));
}
