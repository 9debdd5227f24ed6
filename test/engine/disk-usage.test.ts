import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diskUsage } from "../../src/engine/disk-usage.ts";
import { tempDir } from "../helpers/tmp.ts";

const MB = 1024 * 1024;

describe("engine/disk-usage", () => {
  it("adds up files in nested directories, with every root counted", async (t) => {
    const a = tempDir(t);
    const b = tempDir(t);
    mkdirSync(join(a, "x", "y", "z"), { recursive: true });
    writeFileSync(join(a, "x", "y", "z", "deep"), Buffer.alloc(MB));
    writeFileSync(join(b, "top"), Buffer.alloc(2 * MB));
    const one = await diskUsage([a]);
    assert.ok(one >= MB && one < MB + 64 * 1024, `${one}`);
    const both = await diskUsage([a, b]);
    assert.ok(both >= 3 * MB && both < 3 * MB + 64 * 1024, `${both}`);
  });

  it("counts a symlink as itself and never follows it", async (t) => {
    const dir = tempDir(t);
    const outside = tempDir(t);
    writeFileSync(join(outside, "big"), Buffer.alloc(4 * MB));
    symlinkSync(join(outside, "big"), join(dir, "to-file"));
    symlinkSync(outside, join(dir, "to-dir"));
    symlinkSync(dir, join(dir, "loop"));
    assert.ok((await diskUsage([dir])) < 64 * 1024);
  });

  it("counts a file with several hard links once", async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "data"), Buffer.alloc(MB));
    for (const name of ["a", "b", "c"]) linkSync(join(dir, "data"), join(dir, "sub", name));
    const total = await diskUsage([dir]);
    assert.ok(total >= MB && total < 2 * MB, `${total}`);
  });

  it("does not open a FIFO", async (t) => {
    const dir = tempDir(t);
    execFileSync("mkfifo", [join(dir, "pipe")]);
    writeFileSync(join(dir, "file"), "x");
    // Opening the FIFO would block forever with no writer: the test would time out.
    assert.ok((await diskUsage([dir])) > 0);
  });

  it("counts a sparse file at its full size", async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "sparse"), "");
    truncateSync(join(dir, "sparse"), 1024 * MB);
    assert.ok((await diskUsage([dir])) >= 1024 * MB);
  });

  it("stops walking once the total passes the budget", async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "0-big"), Buffer.alloc(MB));
    for (let i = 0; i < 200; i++) {
      mkdirSync(join(dir, `d${i}`));
      writeFileSync(join(dir, `d${i}`, "f"), Buffer.alloc(8192));
    }
    const full = await diskUsage([dir]);
    const bounded = await diskUsage([dir], { stopAbove: 64 * 1024 });
    assert.ok(bounded > 64 * 1024, `${bounded}`);
    assert.ok(bounded < full, `${bounded} < ${full}`);
  });

  it("is zero for a place that does not exist", async () => {
    assert.equal(await diskUsage(["/nonexistent/gaffer-place"]), 0);
  });
});
