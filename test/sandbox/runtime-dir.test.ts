import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { createRuntimeDir, removeOrphanedRuntimeDirs } from "../../src/sandbox/runtime-dir.ts";
import { processStartTime } from "../../src/util/process-identity.ts";
import { tempDir } from "../helpers/tmp.ts";

/** The pid and start time of a process that has exited. */
async function deadOwner(): Promise<string> {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  await once(child, "spawn");
  const owner = `${child.pid}-${processStartTime(child.pid as number)}`;
  child.kill("SIGKILL");
  await once(child, "exit");
  return owner;
}

describe("sandbox/runtime-dir", () => {
  it("names its owner, and only the directories of owners that are gone are removed", async (t) => {
    const base = tempDir(t);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = base;
    t.after(() => {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    });
    const own = createRuntimeDir();
    assert.match(
      basename(own.dir),
      new RegExp(`^gaffer-sandbox-${process.pid}-${processStartTime(process.pid)}-`),
    );
    assert.equal(statSync(own.dir).mode & 0o777, 0o700);
    const dead = await deadOwner();
    const orphan = join(base, `gaffer-sandbox-${dead}-AbC123`);
    mkdirSync(join(orphan, "nested"), { recursive: true });
    const unknown = join(base, "gaffer-sandbox-12-0-AbC123"); // made where there was no /proc
    const other = join(base, "gaffer-sandbox-test-AbC123");
    for (const dir of [unknown, other]) mkdirSync(dir);
    const planted = join(base, `gaffer-sandbox-${dead}-XyZ789`);
    symlinkSync(own.dir, planted);

    assert.deepEqual(removeOrphanedRuntimeDirs(base), [orphan]);
    assert.deepEqual(
      readdirSync(base).sort(),
      [basename(own.dir), basename(planted), basename(unknown), basename(other)].sort(),
    );
    assert.ok(existsSync(own.emptyFile), "a live owner's directory is kept, a symlink never followed");
  });
});
