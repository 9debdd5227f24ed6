import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ownerToken } from "../../src/engine/owner.ts";
import {
  isSessionRunning,
  pidDir,
  readPidFiles,
  removePidFile,
  writePidFile,
} from "../../src/factory/pid-files.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A live process, killed when the test ends. */
async function liveProcess(t: TestContext): Promise<number> {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  await once(child, "spawn");
  return child.pid as number;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true", [], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid as number;
}

describe("factory/pid-files", () => {
  it("writes each role process's owner token and reads back which are alive", async (t) => {
    const dir = pidDir(tempDir(t));
    assert.deepEqual(readPidFiles(dir), [], "no directory yet: no files");
    const live = await liveProcess(t);
    const dead = await deadPid();
    writePidFile(dir, "shop-builder.1", live);
    writePidFile(dir, "shop-builder.2", dead);
    writePidFile(dir, "shop-reviewer", live);
    assert.equal(readFileSync(join(dir, "shop-reviewer.pid"), "utf8"), `${ownerToken(live)}\n`);
    const files = readPidFiles(dir).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      files.map(({ owner: _owner, ...file }) => file),
      [
        { name: "shop-builder.1", session: "shop-builder", pid: live, alive: true },
        { name: "shop-builder.2", session: "shop-builder", pid: dead, alive: false },
        { name: "shop-reviewer", session: "shop-reviewer", pid: live, alive: true },
      ],
    );
    assert.equal(files[2]?.owner, ownerToken(live));
    assert.equal(isSessionRunning(dir, "shop-builder"), true);
    assert.equal(isSessionRunning(dir, "shop-planner"), false);
  });

  it("does not take a recycled pid for the process it names", async (t) => {
    const dir = pidDir(tempDir(t));
    const live = await liveProcess(t);
    writePidFile(dir, "shop-builder", live);
    // Same pid, another start time: the file names a process that is gone.
    const [host, pid] = ownerToken(live).split(":");
    writeFileSync(join(dir, "shop-builder.pid"), `${host}:${pid}:1\n`);
    assert.deepEqual(readPidFiles(dir), [
      { name: "shop-builder", session: "shop-builder", pid: live, owner: `${host}:${pid}:1`, alive: false },
    ]);
    assert.equal(isSessionRunning(dir, "shop-builder"), false);
  });

  it("skips what is not a pid file or holds no pid, and removes one file", async (t) => {
    const dir = pidDir(tempDir(t));
    const live = await liveProcess(t);
    writePidFile(dir, "shop-builder", live);
    writeFileSync(join(dir, "notes.txt"), "x");
    writeFileSync(join(dir, "garbage.pid"), "not a token\n");
    writeFileSync(join(dir, "zero.pid"), "host:0:1\n");
    assert.deepEqual(
      readPidFiles(dir).map((file) => file.name),
      ["shop-builder"],
    );
    removePidFile(dir, "shop-builder");
    removePidFile(dir, "never-there");
    assert.deepEqual(readPidFiles(dir), []);
  });
});
