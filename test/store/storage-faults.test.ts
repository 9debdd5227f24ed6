import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { openProject } from "../../src/engine/index.ts";
import { listItems } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { sampleProject } from "../helpers/project.ts";

/** A small tmpfs holding a copy of the sample project, or undefined where this process cannot mount one. */
async function projectOnSmallDisk(t: TestContext): Promise<string | undefined> {
  const mountPoint = mkdtempSync(join(tmpdir(), "gaffer-small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint], { stdio: "ignore" });
  } catch {
    rmdirSync(mountPoint);
    t.skip("cannot mount a tmpfs here (needs root); a full or read-only disk is not simulated");
    return undefined;
  }
  t.after(() => {
    execFileSync("umount", ["-l", mountPoint]);
    rmdirSync(mountPoint);
  });
  const project = join(mountPoint, "project");
  cpSync(await sampleProject(t), project, { recursive: true });
  return project;
}

function fillDisk(dir: string): string {
  const filler = join(dir, "filler");
  try {
    execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=64k"], { stdio: "ignore" });
  } catch {
    // dd stops with an error once the disk is full: that is the point.
  }
  return filler;
}

describe("store: storage faults are named, and lose nothing", () => {
  it("says the disk is full, in one line, and works again once there is room", async (t) => {
    const project = await projectOnSmallDisk(t);
    if (!project) return;
    const filler = fillDisk(join(project, ".."));
    const body = "x".repeat(64 * 1024);
    const full = await gaffer(["issue", "add", "Too big for the disk", "--body", body], { cwd: project });
    assert.equal(full.code, 74, full.stderr);
    assert.match(
      full.stderr,
      /^gaffer: cannot use gaffer's store .*gaffer\.db: the disk is full — free some space/,
    );
    assert.equal(full.stderr.trim().split("\n").length, 1, full.stderr);

    rmSync(filler);
    const again = await gaffer(["issue", "add", "Fits now", "--body", body], { cwd: project });
    assert.equal(again.code, 0, again.stderr);
    const store = await openProject(project);
    try {
      const titles = (await listItems(store.store.db, { state: "all" })).map((item) => item.title);
      assert.ok(titles.includes("Fits now"), titles.join(", "));
      assert.ok(!titles.includes("Too big for the disk"));
      assert.equal(titles.length, 4, "the sample items are all still there");
    } finally {
      await store.close();
    }
  });

  it("says the store is read-only", async (t) => {
    const project = await projectOnSmallDisk(t);
    if (!project) return;
    writeFileSync(join(project, "..", "marker"), "");
    execFileSync("mount", ["-o", "remount,ro", join(project, "..")]);
    const result = await gaffer(["issue", "add", "Nowhere to write"], { cwd: project });
    assert.equal(result.code, 74, result.stderr);
    assert.match(result.stderr, /^gaffer: cannot use gaffer's store .*: it is read-only — make the file/);
  });
});
