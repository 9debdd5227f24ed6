import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { GafferError } from "../../src/errors.ts";
import { readAgentFile, realDirectory, writeFreshFile } from "../../src/util/safe-fs.ts";
import { tempDir } from "../helpers/tmp.ts";

const CAP = { maxBytes: 1024 };

function fifo(path: string): string {
  execFileSync("mkfifo", [path]);
  return path;
}

async function socketFile(t: TestContext, path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => server.close());
  return path;
}

function tampered(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof GafferError && error.code === "workspace-tampered" && pattern.test(error.message);
}

describe("readAgentFile", () => {
  it("reads a regular file", (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "ok.md"), "fine");
    assert.deepEqual(readAgentFile(join(dir, "ok.md"), CAP), { ok: true, data: Buffer.from("fine") });
  });

  it("reports a missing file as missing", (t) => {
    const dir = tempDir(t);
    assert.deepEqual(readAgentFile(join(dir, "none"), CAP), { ok: false, reason: "missing" });
  });

  it("refuses a symlink, even one to a readable file, without following it", (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "secret"), "SECRET");
    symlinkSync(join(dir, "secret"), join(dir, "link"));
    symlinkSync("/proc/self/environ", join(dir, "environ"));
    assert.deepEqual(readAgentFile(join(dir, "link"), CAP), { ok: false, reason: "symlink" });
    assert.deepEqual(readAgentFile(join(dir, "environ"), CAP), { ok: false, reason: "symlink" });
  });

  it("refuses a FIFO at once, with no writer on the other end", (t) => {
    const dir = tempDir(t);
    assert.deepEqual(readAgentFile(fifo(join(dir, "pipe")), CAP), { ok: false, reason: "fifo" });
  });

  it("refuses a directory, a device and a socket", async (t) => {
    const dir = tempDir(t);
    assert.deepEqual(readAgentFile(dir, CAP), { ok: false, reason: "directory" });
    assert.deepEqual(readAgentFile("/dev/null", CAP), { ok: false, reason: "device" });
    const socket = await socketFile(t, join(dir, "sock"));
    assert.deepEqual(readAgentFile(socket, CAP), { ok: false, reason: "socket" });
  });

  it("refuses a file over the cap without reading it", (t) => {
    const dir = tempDir(t);
    const huge = join(dir, "huge");
    writeFileSync(huge, "");
    truncateSync(huge, 8 * 1024 ** 3); // sparse: 8 GiB that would not fit in memory
    assert.deepEqual(readAgentFile(huge, CAP), { ok: false, reason: "too-big" });
    writeFileSync(join(dir, "edge"), "x".repeat(1024));
    assert.equal(readAgentFile(join(dir, "edge"), CAP).ok, true, "exactly the cap is fine");
  });

  it("with `within`, refuses a path whose parent is a symlink leading out", (t) => {
    const dir = tempDir(t);
    const outside = tempDir(t);
    writeFileSync(join(outside, "secret"), "SECRET");
    symlinkSync(outside, join(dir, "sub"));
    const options = { ...CAP, within: dir };
    assert.deepEqual(readAgentFile(join(dir, "sub", "secret"), options), { ok: false, reason: "symlink" });
    assert.deepEqual(readAgentFile(join(outside, "secret"), options), { ok: false, reason: "outside" });
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "file"), "inside");
    assert.deepEqual(readAgentFile(join(dir, "real", "file"), options), {
      ok: true,
      data: Buffer.from("inside"),
    });
  });
});

describe("writeFreshFile", () => {
  it("creates the file and its missing directories, with the mode asked for", (t) => {
    const dir = tempDir(t);
    const path = join(dir, "a", "b", "hook");
    writeFreshFile(path, "#!/bin/sh\n", { within: dir, mode: 0o755 });
    assert.equal(readFileSync(path, "utf8"), "#!/bin/sh\n");
    assert.equal(statSync(path).mode & 0o777, 0o755);
  });

  it("replaces a planted symlink instead of writing through it", (t) => {
    const dir = tempDir(t);
    const outside = tempDir(t);
    writeFileSync(join(outside, "project-file"), "original");
    symlinkSync(join(outside, "project-file"), join(dir, "settings.json"));
    writeFreshFile(join(dir, "settings.json"), "{}", { within: dir });
    assert.equal(readFileSync(join(outside, "project-file"), "utf8"), "original");
    assert.ok(lstatSync(join(dir, "settings.json")).isFile());
    assert.equal(readFileSync(join(dir, "settings.json"), "utf8"), "{}");
  });

  it("replaces a hard link, a FIFO and a directory with a new file", (t) => {
    const dir = tempDir(t);
    const outside = tempDir(t);
    writeFileSync(join(outside, "linked"), "original");
    linkSync(join(outside, "linked"), join(dir, "hard"));
    fifo(join(dir, "pipe"));
    mkdirSync(join(dir, "folder", "inner"), { recursive: true });
    for (const name of ["hard", "pipe", "folder"]) {
      writeFreshFile(join(dir, name), name, { within: dir });
      assert.equal(readFileSync(join(dir, name), "utf8"), name);
    }
    assert.equal(readFileSync(join(outside, "linked"), "utf8"), "original");
  });

  it("refuses to write below a symlinked directory", (t) => {
    const dir = tempDir(t);
    const outside = tempDir(t);
    symlinkSync(outside, join(dir, "rules"));
    assert.throws(
      () => writeFreshFile(join(dir, "rules", "gaffer.rules"), "x", { within: dir }),
      tampered(/symbolic link/),
    );
    assert.throws(() => writeFreshFile(join(outside, "x"), "x", { within: dir }), tampered(/outside/));
    assert.throws(() => realDirectory(dir, join(dir, "rules", "deeper")), tampered(/symbolic link/));
  });
});
