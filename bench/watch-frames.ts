import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../bin/gaffer", import.meta.url));

interface RunRow {
  id: number;
  updatedAt: number;
}

interface Frame {
  active?: RunRow[];
  resumable?: RunRow[];
  recent?: RunRow[];
}

/**
 * `gaffer status --watch --json` on a working project, with its fallback interval out of the way:
 * for every run change (a run's `updatedAt`) the first frame that shows it, and how long after
 * the change that frame arrived. Both clocks are this machine's. It runs in a session of its own,
 * as in a terminal of its own.
 */
export function watchRunChanges(dir: string): { stop(): Promise<number[]> } {
  const watcher = spawn(LAUNCHER, ["status", "--watch", "--json", "--interval", "24h"], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const seen = new Set<string>();
  const latencies: number[] = [];
  let first = true;
  const lines = createInterface({ input: watcher.stdout });
  lines.on("line", (line) => {
    const arrived = Date.now();
    const frame = JSON.parse(line) as Frame;
    for (const run of [...(frame.active ?? []), ...(frame.resumable ?? []), ...(frame.recent ?? [])]) {
      const key = `${run.id}@${run.updatedAt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // The first frame shows what was there before the watch began.
      if (!first) latencies.push(arrived - run.updatedAt);
    }
    first = false;
  });
  const exited = new Promise<void>((resolve) => watcher.on("close", () => resolve()));
  return {
    async stop() {
      watcher.kill();
      await exited;
      return latencies;
    },
  };
}
