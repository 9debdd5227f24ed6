import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/**
 * `gaffer status --json` every second, as someone watching a project would poll it (`watch -n 1`;
 * back to back, the polls alone kept one of two cores busy). Run as its own
 * process (`node bench/status-poller.ts <project> <out.jsonl>`), so that the CPU of the status
 * processes never counts towards whatever the benchmark measures in its own children. Each poll is
 * appended to the output as one line; SIGTERM ends the loop after the poll in flight.
 */

const BIN = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));
const POLL_EVERY_MS = 1000;

/** One `status --json` invocation: when it was spawned and when its output was complete (ms epoch). */
export interface Poll {
  start: number;
  end: number;
  ok: boolean;
  /** The runs it showed (active, resumable, the recent ones): id, state, updated_at. */
  runs: [number, string, number][];
}

interface StatusJson {
  active: RunJson[];
  resumable: RunJson[];
  recent: RunJson[];
}

interface RunJson {
  id: number;
  state: string;
  updated_at: number;
}

/** Runs `gaffer status --json` once in `cwd`. */
export function pollStatus(cwd: string): Promise<Poll> {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [BIN, "status", "--json"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("close", (code) => {
      const end = Date.now();
      let runs: Poll["runs"] = [];
      try {
        const status = JSON.parse(stdout) as StatusJson;
        runs = [...status.active, ...status.resumable, ...status.recent].map((r) => [
          r.id,
          r.state,
          r.updated_at,
        ]);
      } catch {
        code = code === 0 ? -1 : code;
      }
      resolve({ start, end, ok: code === 0, runs });
    });
  });
}

export function readPolls(file: string): Poll[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Poll);
}

async function main(cwd: string, out: string): Promise<void> {
  let stopping = false;
  process.on("SIGTERM", () => {
    stopping = true;
  });
  while (!stopping) {
    const poll = await pollStatus(cwd);
    appendFileSync(out, `${JSON.stringify(poll)}\n`);
    await sleep(Math.max(0, poll.start + POLL_EVERY_MS - Date.now()));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cwd, out] = process.argv.slice(2);
  if (!cwd || !out) throw new Error("usage: status-poller.ts <project> <out.jsonl>");
  await main(cwd, out);
}
