import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { exceeded, RunProcesses } from "../../src/engine/limits.ts";
import { waitFor } from "../helpers/wait.ts";

const LIMITS = { runTimeoutMs: 1000, outputBytes: 100, workspaceBytes: 1000, processes: 3 };
const USAGE = { elapsedMs: 10, outputBytes: 10, workspaceBytes: 10, processes: 1 };

describe("engine/limits", () => {
  it("names the first limit a run went past", () => {
    assert.equal(exceeded(LIMITS, USAGE), undefined);
    assert.match(exceeded(LIMITS, { ...USAGE, elapsedMs: 2000 }) ?? "", /took longer than 1s/);
    assert.match(exceeded(LIMITS, { ...USAGE, outputBytes: 101 }) ?? "", /more than 100 bytes of output/);
    assert.match(exceeded(LIMITS, { ...USAGE, workspaceBytes: 1001 }) ?? "", /grew past 1000 bytes/);
    assert.match(exceeded(LIMITS, { ...USAGE, processes: 4 }) ?? "", /more than 3 processes/);
  });

  it("counts the processes a run started and what they started, not its neighbours", async () => {
    const processes = new RunProcesses();
    const start = () =>
      spawn("/bin/sh", ["-c", "sleep 60 & sleep 60 & wait"], { stdio: "ignore", detached: true });
    const ours = start();
    const neighbours = start();
    try {
      processes.add(ours.pid as number);
      await waitFor(() => processes.count() === 3, "the shell and its two sleeps");
      const gone = new Promise((resolve) => ours.once("exit", resolve));
      process.kill(-(ours.pid as number), "SIGKILL");
      await gone;
      await waitFor(() => processes.count() === 0, "nothing once they are gone");
    } finally {
      for (const child of [ours, neighbours]) {
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  });
});
