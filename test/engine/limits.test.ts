import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { countDescendants, exceeded } from "../../src/engine/limits.ts";
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

  it("counts the processes descending from this one, grandchildren included", async () => {
    const before = countDescendants(process.pid);
    const child = spawn("/bin/sh", ["-c", "sleep 60 & sleep 60 & wait"], { stdio: "ignore", detached: true });
    await waitFor(() => countDescendants(process.pid) >= before + 3, "a shell and its two sleeps");
    process.kill(-(child.pid ?? 0), "SIGKILL");
  });
});
