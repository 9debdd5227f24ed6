import { lstatSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname, resolve } from "node:path";
import { Writable } from "node:stream";
import { constants } from "node:os";
import { readConfig } from "../../config/index.ts";
import { readyForRuns } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import { resolveProjectRoot } from "../../workspace/index.ts";
import { errorReport } from "../../util/index.ts";
import {
  type ClientMessage,
  FORWARDED_SIGNALS,
  line,
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
 * `gaffer standby`: keeps this process ready, gaffer's run command loaded, to run the next
 * `gaffer run` of this user in its place (see runInStandby). It serves one command, as if it were
 * the process started for it (its directory, environment, output and signals), and exits (that
 * run starts the next standby); unused for 30 minutes, it exits too.
 */
export async function standby(): Promise<number> {
  const path = standbySocket(process.env);
  if (path === undefined) {
    throw new GafferError("usage", "a standby process runs only from gaffer's build", "run `npm run build`");
  }
  if (!privateDirectory(dirname(path))) {
    throw new GafferError(
      "invalid-input",
      `${dirname(path)} is not a directory only this user can enter`,
      "remove it; gaffer makes it again, private",
    );
  }
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
      readMessages(
        socket,
        (message) => {
          const said = message as ClientMessage;
          const start = startMessage(message);
          if (said.type === "ping") {
            send(socket, { type: "ready", pid: process.pid });
            socket.end();
          } else if (start && !taken) {
            taken = true;
            void warmProject(start).then((warm) => {
              if (!warm) {
                taken = false;
                send(socket, { type: "declined" });
                socket.end();
                return;
              }
              clearTimeout(idle);
              release();
              void serve(start, socket);
            });
          } else if (said.type !== "signal") {
            socket.end();
          }
        },
        () => socket.destroy(),
      );
    });
  });
}

/**
 * Whether the command runs in a project with warm workspaces: only there does a run start in a
 * standby (it is part of keeping runs warm); anywhere else, or when the project cannot be read,
 * the caller runs it itself, as it always does.
 */
async function warmProject(start: StartMessage): Promise<boolean> {
  try {
    const root = await resolveProjectRoot(resolve(start.cwd, runCommandDir(start.argv) ?? "."));
    return (await readConfig(root, { remember: false, env: start.env })).workspace.warm > 0;
  } catch {
    return false;
  }
}

/** Listens at `path`; when another live standby already does, its pid. */
async function listening(path: string): Promise<Server | number> {
  for (let attempt = 0; ; attempt++) {
    const server = createServer();
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once("error", resolve);
      server.listen(path, () => resolve(undefined));
    });
    if (!error) return server;
    if (error.code !== "EADDRINUSE" || attempt > 0) throw error;
    const other = await pingStandby(path);
    if (other !== undefined) return other;
    // A dead standby's socket.
    unlinkSync(path);
  }
}

/** Runs the command line as the process started for it would, then hands over and exits. */
async function serve(start: StartMessage, socket: Socket): Promise<void> {
  const exit = process.exit.bind(process);
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    send(socket, { type: "exit", code });
    if (socket.destroyed) exit(code);
    else socket.end(() => exit(code));
  };
  send(socket, { type: "accepted", pid: process.pid });
  adopt(start, socket);
  // A command that quits at once (a second Ctrl-C) still tells its caller how it ended.
  process.exit = ((code?: number | string | null) =>
    finish(Number(code ?? process.exitCode ?? 0))) as typeof process.exit;
  const signal = (name: (typeof FORWARDED_SIGNALS)[number]) => {
    if (process.listenerCount(name) > 0) process.emit(name);
    else finish(128 + constants.signals[name]);
  };
  readMessages(
    socket,
    (message) => {
      const said = message as ClientMessage;
      if (said.type === "signal" && FORWARDED_SIGNALS.includes(said.signal)) signal(said.signal);
    },
    () => undefined,
  );
  // The caller went away (killed, its terminal gone): its run is stopped as `kill` would stop it.
  socket.on("close", () => {
    if (!finished) signal("SIGTERM");
  });
  let code: number;
  try {
    const { main } = await import("../main.ts");
    code = await main(start.argv);
  } catch (error) {
    const report = errorReport(error);
    process.stderr.write(report.lines.map((text) => `${text}\n`).join(""));
    code = report.exitCode;
  }
  finish(code);
}

/** Takes on the caller's directory, umask, environment, arguments and output streams. */
function adopt(start: StartMessage, socket: Socket): void {
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, start.env);
  process.chdir(start.cwd);
  process.umask(start.umask & 0o777);
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
      send(socket, { type: "output", fd, data: Buffer.from(chunk).toString("base64") });
      done();
    },
  });
  return Object.assign(stream, {
    fd,
    isTTY: facts.isTTY === true,
    columns: typeof facts.columns === "number" ? facts.columns : 80,
  }) as unknown as NodeJS.WriteStream;
}

function send(socket: Socket, message: StandbyMessage): void {
  if (!socket.destroyed) socket.write(line(message));
}
