import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { countDescendants, exceeded } from "../../src/engine/limits.ts";

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
    const child = spawn("/bin/sh", ["-c", "sleep 5 & sleep 5 & wait"], { stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(countDescendants(process.pid) >= before + 3);
    child.kill("SIGKILL");
  });
});
