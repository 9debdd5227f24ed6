import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { removePidFile, writePidFile } from "./pid-files.ts";
import { killGroup } from "../util/index.ts";

/** A process the supervisor started: a worker (build or review), or a service. */
export interface ChildSpec {
  /** Its pid file's and log's name: the role's session, with `.<n>` for the n-th of a role. */
  name: string;
  argv: string[];
  cwd: string;
  /** A Node IPC channel to the child (a worker hosting runs hears its tasks on it). */
  ipc?: boolean;
}

export interface FactoryDirs {
  pids: string;
  logs: string;
}

export function factoryDirs(stateDir: string): FactoryDirs {
  return { pids: join(stateDir, "factory", "pids"), logs: join(stateDir, "factory", "logs") };
}

/** Where a child's output goes. */
export function logFile(dirs: FactoryDirs, name: string): string {
  return join(dirs.logs, `${name}.log`);
}

/** Enough of a log's end to hold its last line. */
const LOG_TAIL_BYTES = 4096;

/** The last line a child wrote to its log (its one-line error), read from the log's end only. */
export function lastLogLine(dirs: FactoryDirs, name: string): string {
  let fd: number;
  try {
    fd = openSync(logFile(dirs, name), "r");
  } catch {
    return "";
  }
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, LOG_TAIL_BYTES));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString("utf8").trimEnd().split("\n").at(-1) ?? "";
  } finally {
    closeSync(fd);
  }
}

/**
 * A child's first act: wait for "go" on stdin, then become the command. The supervisor sends "go"
 * once the child's pid file is written; a supervisor killed before that closes the pipe, and the
 * child exits without having done anything. So no role process ever works without a pid file by
 * which the next supervisor finds it. (exec keeps the pid and start time the pid file names.)
 */
const AWAIT_GO = 'IFS= read -r go && [ "$go" = go ] && exec "$@"';

/**
 * Starts a child in its own process group (so everything it starts can be stopped with it), its
 * output appended to `logs/<name>.log`, and its pid file written before it starts work. `onExit`
 * gets the code, or the signal that ended it, once the pid file is gone.
 */
export function startChild(
  spec: ChildSpec,
  dirs: FactoryDirs,
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
): ChildProcess {
  mkdirSync(dirs.logs, { recursive: true });
  const log = openSync(logFile(dirs, spec.name), "a");
  const child = spawn("/bin/sh", ["-c", AWAIT_GO, "sh", ...spec.argv], {
    cwd: spec.cwd,
    detached: true,
    stdio: spec.ipc ? ["pipe", log, log, "ipc"] : ["pipe", log, log],
  });
  closeSync(log);
  child.stdin?.on("error", () => {}); // it died before reading "go": its exit says so
  if (child.pid !== undefined) {
    try {
      writePidFile(dirs.pids, spec.name, child.pid);
    } catch (error) {
      child.stdin?.end();
      throw error;
    }
    child.stdin?.end("go\n");
  }
  child.on("exit", (code, signal) => {
    // Whatever it started and left behind (a service's `sh -c` children, say) goes with it.
    if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    removePidFile(dirs.pids, spec.name);
    onExit(code, signal);
  });
  child.on("error", () => {
    removePidFile(dirs.pids, spec.name);
    onExit(null, null);
  });
  return child;
}

/**
 * Signals a child. SIGKILL goes to its whole process group, so nothing it started survives it;
 * other signals go to the child alone, which then stops its own subprocesses in order (a
 * service's shell passes them on to nothing, so its group gets them).
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals, group = false): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (signal === "SIGKILL" || group) killGroup(child.pid, signal);
  else child.kill(signal);
}
