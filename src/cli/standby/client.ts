import { connect, type Socket } from "node:net";
import { dirname } from "node:path";
import {
  type ClientMessage,
  FORWARDED_SIGNALS,
  line,
  readMessages,
  runCommandDir,
  messageOf,
  type StandbyMessage,
} from "./protocol.ts";
import { ownSocket, privateDirectory, standbySocket } from "./socket.ts";

/** The exit code of a command whose standby vanished before telling it (EX_SOFTWARE). */
const STANDBY_LOST = 70;
/** How long a standby may take to take or decline a command before the caller runs it itself. */
const ANSWER_MS = 2000;

/**
 * Runs a `gaffer run` command line in this user's standby process, when one is ready: it has
 * gaffer's code loaded already, takes this process's directory and environment, and sends back
 * the output and the exit code; Ctrl-C and other signals are passed on to it. Resolves to the exit
 * code, or to undefined when no standby took the command (none is ready, it declined, another
 * command took it first, it did not answer): the caller then runs it itself.
 */
export async function runInStandby(argv: readonly string[]): Promise<number | undefined> {
  if (runCommandDir(argv) === undefined) return undefined;
  const path = standbySocket(process.env);
  if (path === undefined || !privateDirectory(dirname(path)) || !ownSocket(path)) return undefined;
  const socket = await connected(path);
  if (!socket) return undefined;
  return new Promise((resolve) => {
    let accepted = false;
    let code: number | undefined;
    const unanswered = setTimeout(() => socket.destroy(), ANSWER_MS);
    const forward = FORWARDED_SIGNALS.map((signal) => {
      const listener = () => send(socket, { type: "signal", signal });
      return { signal, listener };
    });
    const done = (result: number | undefined) => {
      clearTimeout(unanswered);
      for (const { signal, listener } of forward) process.off(signal, listener);
      resolve(result);
    };
    readMessages(
      socket,
      (message) => {
        const said = messageOf<StandbyMessage>(message);
        if (said?.type === "accepted" && !accepted) {
          accepted = true;
          clearTimeout(unanswered);
          for (const { signal, listener } of forward) process.on(signal, listener);
        } else if (said?.type === "output" && accepted) {
          (said.fd === 2 ? process.stderr : process.stdout).write(Buffer.from(String(said.data), "base64"));
        } else if (said?.type === "exit" && accepted && Number.isInteger(said.code)) {
          code = said.code;
        }
      },
      () => socket.destroy(),
    );
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (!accepted) return done(undefined);
      if (code === undefined) {
        process.stderr.write("gaffer: the standby process that ran this command ended before it did\n");
        return done(STANDBY_LOST);
      }
      done(code);
    });
    send(socket, {
      type: "start",
      argv: [...argv],
      cwd: process.cwd(),
      umask: umaskOf(),
      env: Object.fromEntries(
        Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      stdout: facts(process.stdout),
      stderr: facts(process.stderr),
    });
  });
}

/** The process's umask, read by setting it and setting it back (the read-only form is deprecated). */
function umaskOf(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

function connected(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => resolve(socket));
    socket.once("error", () => resolve(undefined));
  });
}

function send(socket: Socket, message: ClientMessage): void {
  if (!socket.destroyed) socket.write(line(message));
}

function facts(stream: NodeJS.WriteStream): { isTTY: boolean; columns?: number } {
  return stream.isTTY ? { isTTY: true, columns: stream.columns } : { isTTY: false };
}
