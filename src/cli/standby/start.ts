import { spawn } from "node:child_process";
import { connect } from "node:net";
import { dirname } from "node:path";
import { gafferCommand } from "../../util/index.ts";
import { line, messageOf, readMessages, type StandbyMessage } from "./protocol.ts";
import { ownSocket, privateDirectory, standbySocket } from "./socket.ts";

/** What a standby that started says on its output once it listens (or found another listening). */
const READY_LINE = /^ready (\d+)$/m;

/** How long a standby may take to answer a ping. */
const PING_MS = 2000;

/** The pid of the live standby listening at `path`, or undefined when none answers. */
export function pingStandby(path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    if (!ownSocket(path)) return resolve(undefined);
    const socket = connect(path);
    let pid: number | undefined;
    const unanswered = setTimeout(() => socket.destroy(), PING_MS);
    socket.on("connect", () => socket.write(line({ type: "ping" })));
    readMessages(
      socket,
      (message) => {
        const said = messageOf<StandbyMessage>(message);
        if (said?.type === "ready" && Number.isInteger(said.pid)) pid = said.pid;
      },
      () => socket.destroy(),
    );
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(unanswered);
      resolve(pid);
    });
  });
}

/**
 * This user's standby for the next `gaffer run`, started when none answers; resolves to its pid
 * once it listens, or undefined where there can be none (running the sources, no private place
 * for its socket) or it could not start. With `wait: false` it resolves as soon as one is started.
 */
export async function readyStandby(
  options: { wait?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<number | undefined> {
  const env = options.env ?? process.env;
  const path = standbySocket(env);
  if (path === undefined || !privateDirectory(dirname(path))) return undefined;
  const live = await pingStandby(path);
  if (live !== undefined) return live;
  const [node, ...args] = gafferCommand("standby");
  const wait = options.wait ?? true;
  const child = spawn(node as string, args, {
    cwd: "/",
    env,
    detached: true,
    stdio: ["ignore", wait ? "pipe" : "ignore", "ignore"],
  });
  child.unref();
  if (!wait) return undefined;
  return new Promise((resolve) => {
    let said = "";
    const { stdout } = child;
    if (!stdout) return resolve(undefined);
    stdout.setEncoding("utf8");
    stdout.on("data", (chunk: string) => {
      said += chunk;
      const ready = READY_LINE.exec(said);
      if (!ready) return;
      stdout.destroy();
      resolve(Number(ready[1]));
    });
    stdout.on("close", () => resolve(undefined));
    child.on("error", () => resolve(undefined));
  });
}
