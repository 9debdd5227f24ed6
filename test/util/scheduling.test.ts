import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers/tmp.ts";

const PROBE = fileURLToPath(new URL("./scheduling-probe.ts", import.meta.url));
const noGroups = existsSync("/proc/self/autogroup") ? false : "the kernel does not group sessions here";

/** The probe's report, run in a session of its own (so that lowering it lowers nothing else). */
async function probe(
  scratch: string,
  workerNice: number,
  agentNice: number,
): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [PROBE, String(workerNice), String(agentNice), scratch], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as Record<string, string>;
}

/** What the probe reports when it runs at `own` and puts sandboxed work at `sandboxed`. */
function groups(own: number, sandboxed: number): Record<string, string> {
  const at = (nice: number) => `nice ${nice}`;
  return {
    self: at(own),
    command: at(own),
    git: at(own),
    check: at(own),
    sandboxed: at(sandboxed),
    agent: at(sandboxed),
  };
}

describe("util/scheduling", { skip: noGroups }, () => {
  it("puts what a lowered process starts in groups as low as it, and sandboxed work lower still", async (t) => {
    assert.deepEqual(await probe(tempDir(t, "gaffer-sched-"), 3, 9), groups(3, 9));
  });

  it("leaves what an unlowered process starts where the kernel puts a new session", async (t) => {
    assert.deepEqual(await probe(tempDir(t, "gaffer-sched-"), 0, 0), groups(0, 0));
  });
});
