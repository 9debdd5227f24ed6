import { readFileSync, writeFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * CPU priority across sessions. Linux schedules each session as a group of its own (autogroup),
 * each with a full share whatever its processes' niceness, and gaffer starts every command in a
 * session of its own so that it can stop it as a whole. Left alone, every git command, agent and
 * gate would compete with the user's own work, and with the worker that started it, on equal
 * terms. So each one joins a group as low as the process that starts it; a worker puts what it
 * sandboxes (agents and gates, the bulk work) lower still, under gaffer's own bookkeeping.
 */
export type StartedProcess = "command" | "sandboxed";

const AUTOGROUP = "/proc/self/autogroup";

/** Where nothing lowered it, what a process starts gets the group niceness it runs at itself. */
let sandboxedNice: number | undefined;
let ownGroupNice: number | null | undefined;

/**
 * Adds `nice` to this process's niceness and to its scheduling group's, and `sandboxed` to the
 * group of the sandboxed work it starts (each at most 19). A system that refuses leaves the
 * process as it was.
 */
export function lowerPriority(nice: number, sandboxed: number): void {
  try {
    if (nice > 0) setPriority(Math.min(19, getPriority() + nice));
  } catch {
    // Not allowed here: the work runs at the priority it was started with.
  }
  const base = groupNice();
  if (base === null) return;
  sandboxedNice = Math.min(19, base + sandboxed);
  if (nice === 0) return;
  try {
    writeFileSync(AUTOGROUP, String(Math.min(19, base + nice)));
    ownGroupNice = Math.min(19, base + nice);
  } catch {
    // Not allowed here: the process's own niceness is what counts.
  }
}

/**
 * Puts the session a just-started child leads (`pid`) in its place: a command with this process,
 * sandboxed work where `lowerPriority` put it. Quietly does nothing where the kernel has no
 * groups, or the child is already gone.
 */
export function placeStarted(pid: number | undefined, kind: StartedProcess): void {
  if (pid === undefined) return;
  const own = groupNice();
  if (own === null) return;
  const nice = kind === "sandboxed" ? Math.max(own, sandboxedNice ?? own) : own;
  // A new session's group starts at 0.
  if (nice === 0) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // Gone already, or not ours to change.
  }
}

/** This process's group niceness, read once; null where the kernel does not group sessions. */
function groupNice(): number | null {
  if (ownGroupNice !== undefined) return ownGroupNice;
  try {
    const match = /nice (-?\d+)/.exec(readFileSync(AUTOGROUP, "utf8"));
    ownGroupNice = match ? Number(match[1]) : null;
  } catch {
    ownGroupNice = null;
  }
  return ownGroupNice;
}
