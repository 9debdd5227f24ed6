import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { isOwnerAlive, ownerToken } from "../engine/index.ts";

/** Who runs a project's factory: written by the supervisor when it comes up, removed when it goes down. */
export interface DaemonRecord {
  pid: number;
  /** Host, pid and start time: a recycled pid never passes for a live daemon. */
  owner: string;
  root: string;
  namespace: string;
  startedAt: number;
}

export function daemonFile(stateDir: string): string {
  return join(stateDir, "factory", "daemon.json");
}

/** The project's daemon if one is running; reads only. */
export function runningDaemon(stateDir: string): DaemonRecord | undefined {
  const record = readRecord(daemonFile(stateDir));
  return record && isOwnerAlive(record.owner) ? record : undefined;
}

/** The record of a supervisor that died without removing it (SIGKILL, a crash); reads only. */
export function deadDaemon(stateDir: string): DaemonRecord | undefined {
  const record = readRecord(daemonFile(stateDir));
  return record && !isOwnerAlive(record.owner) ? record : undefined;
}

/** Removes the project's ownership record and its namespace's, when the supervisor they name is gone. */
export function removeDeadOwnership(stateDir: string, env = process.env): void {
  const record = deadDaemon(stateDir);
  if (!record) return;
  removeIfDead(namespaceFile(record.namespace, env));
  removeIfDead(daemonFile(stateDir));
}

/**
 * Makes this process the project's one supervisor, and the owner of its session namespace across
 * projects. A second one is refused, naming the owner; the record of a dead one is taken over.
 * Returns the release.
 */
export function takeOwnership(
  root: string,
  stateDir: string,
  namespace: string,
  env = process.env,
): () => void {
  const record: DaemonRecord = {
    pid: process.pid,
    owner: ownerToken(),
    root,
    namespace,
    startedAt: Date.now(),
  };
  const own = daemonFile(stateDir);
  claimFile(own, record, (holder) => {
    throw new GafferError(
      "daemon-running",
      `gaffer is already up for ${root} (pid ${holder.pid}, since ${new Date(holder.startedAt).toISOString()})`,
      "stop it with `gaffer down`, or watch it with `gaffer status --watch`",
    );
  });
  const shared = namespaceFile(namespace, env);
  try {
    claimFile(shared, record, (holder) => {
      throw new GafferError(
        "daemon-running",
        `the session namespace "${namespace}" belongs to ${holder.root} (pid ${holder.pid})`,
        "give this project its own [factory] session_prefix, or stop the other one with `gaffer -C <dir> down`",
      );
    });
  } catch (error) {
    rmSync(own, { force: true });
    throw error;
  }
  return () => {
    for (const file of [shared, own]) {
      if (readRecord(file)?.owner === record.owner) rmSync(file, { force: true });
    }
  };
}

/** Where namespaces are registered for every project of this user. */
export function namespaceFile(namespace: string, env = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "gaffer", "namespaces", `${encodeURIComponent(namespace || "-")}.json`);
}

function claimFile(file: string, record: DaemonRecord, refuse: (holder: DaemonRecord) => never): void {
  mkdirSync(join(file, ".."), { recursive: true });
  for (;;) {
    // Written aside, then linked into place: the record appears whole or not at all.
    const written = `${file}.${process.pid}.tmp`;
    writeFileSync(written, `${JSON.stringify(record)}\n`);
    try {
      linkSync(written, file);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(written, { force: true });
    }
    const holder = readRecord(file);
    if (holder && isOwnerAlive(holder.owner)) {
      if (holder.owner === record.owner) return;
      refuse(holder);
    }
    // A dead owner's record: move it aside atomically so only one taker wins, then retry.
    try {
      renameSync(file, `${file}.stale-${process.pid}`);
      rmSync(`${file}.stale-${process.pid}`, { force: true });
    } catch {
      // Someone else took it over first.
    }
  }
}

/** Moved aside atomically, as a takeover does, so a live owner's record that just replaced it is put back. */
function removeIfDead(file: string): void {
  const record = readRecord(file);
  if (!record || isOwnerAlive(record.owner)) return;
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // gone meanwhile
  }
  const moved = readRecord(aside);
  if (moved && isOwnerAlive(moved.owner)) {
    try {
      linkSync(aside, file);
    } catch {
      // Yet another owner came up in between; it holds the place now.
    }
  }
  rmSync(aside, { force: true });
}

function readRecord(file: string): DaemonRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as DaemonRecord;
  } catch {
    return undefined;
  }
}
