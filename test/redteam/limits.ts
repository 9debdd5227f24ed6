import { dataOf } from "../helpers/events.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Arena, AttackResult } from "./harness.ts";
import { type Attack, attempt } from "./kit.ts";

const DISK = '\n[limits]\nworkspace_size = "20MB"\n';
const MB = 1024 * 1024;

function failedWith(r: AttackResult, pattern: RegExp): string {
  if (r.run?.state !== "failed" || !pattern.test(r.run.reason ?? "")) {
    throw new Error(`expected a failed run matching ${pattern}, got ${r.run?.state}: ${r.run?.reason}`);
  }
  return r.run.reason ?? "";
}

/** The sandbox's private places of the run on the host, which must be gone once it ended. */
function leftBehind(r: AttackResult, a: Arena): string[] {
  const sandbox = join(a.project, ".gaffer", "runs", String(r.run?.id), "sandbox");
  return ["tmp", "home", "agent", "shm"].filter((name) => existsSync(join(sandbox, name)));
}

function at(r: AttackResult, type: string, match: (data: Record<string, unknown>) => boolean = () => true) {
  const found = r.events.find((e) => e.type === type && match(dataOf(e)));
  if (!found) throw new Error(`no ${type} event`);
  return found.at;
}

/** Every place the agent can write, each filled past a 20 MB budget from inside the sandbox. */
const PLACES: { place: string; path: string }[] = [
  { place: "the workspace", path: "fill.bin" },
  { place: "the private /tmp", path: "/tmp/fill.bin" },
  { place: "the private HOME", path: '"$HOME/fill.bin"' },
  { place: "the agent's state dir", path: '"$(dirname "$(dirname "$GAFFER_GUARD_LOG")")/agent/fill.bin"' },
  { place: "/dev/shm", path: "/dev/shm/fill.bin" },
];

const fillAttacks: Attack[] = PLACES.map(({ place, path }) => ({
  name: `fill ${place} past the disk budget`,
  layer: "limits",
  config: DISK,
  scenario: () => attempt(`{ shell = 'head -c 40000000 /dev/zero > ${path}' }`, `{ sleep = 8000 }`),
  verify: (r, a) => {
    const reason = failedWith(r, /limit: the workspace grew past/);
    const left = leftBehind(r, a);
    if (left.length) throw new Error(`the run's private ${left.join(", ")} outlived it`);
    return `${reason.slice(0, 60)} · private files removed`;
  },
}));

/** Output floods with a 1 MB limit: what is stored stays about the limit, whatever the agent sends. */
const FLOODS: { name: string; limit: number; steps: string[] }[] = [
  {
    name: "print 50 MB through gaffer's terminal",
    limit: MB,
    steps: [`{ run = "head -c 50000000 /dev/zero | tr '\\\\000' x" }`, `{ sleep = 8000 }`],
  },
  {
    // An item body is at most 256 KiB: the flood is 150 KB against a 100 KB limit.
    name: "say 150 KB in 150 fragments",
    limit: 100 * 1024,
    steps: [...Array.from({ length: 150 }, () => `{ say = "${"y".repeat(1000)}" }`), `{ sleep = 8000 }`],
  },
];

const floodAttacks: Attack[] = FLOODS.map(({ name, steps, limit }) => ({
  name: `output flood: ${name}`,
  layer: "limits",
  config: `\n[limits]\noutput_bytes = ${limit}\n`,
  scenario: () => attempt(...steps),
  verify: (r) => {
    const reason = failedWith(r, new RegExp(`limit: the agent wrote more than ${limit} bytes of output`));
    const stored = r.events
      .filter((e) => e.type.startsWith("agent.") && e.type !== "agent.prompt")
      .reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)), 0);
    if (stored > limit + 64 * 1024) throw new Error(`${stored} bytes of agent output stored`);
    return `${reason.slice(0, 50)} · ${stored} bytes stored`;
  },
}));

/**
 * A 1 GB sparse file left for gaffer to hash at the end of the turn: the limit trips during the
 * hashing, which is killed at once instead of running on (tens of seconds on a busy machine).
 */
const hashAttack: Attack = {
  name: "leave a 1 GB sparse file for gaffer to hash",
  layer: "limits",
  config: DISK,
  scenario: () => attempt(`{ shell = 'truncate -s 1G sparse.bin' }`, `{ say = "done" }`),
  verify: (r) => {
    const reason = failedWith(r, /limit: the workspace grew past/);
    const turnEnded = at(r, "agent.message", (d) => d.text === "done");
    const stopped = at(r, "run.failed");
    if (stopped - turnEnded > 8000) throw new Error(`the run ended ${stopped - turnEnded} ms after the turn`);
    return `${reason.slice(0, 50)} · stopped ${stopped - turnEnded} ms after the turn`;
  },
};

export const LIMITS_ATTACKS: Attack[] = [...fillAttacks, ...floodAttacks, hashAttack];
