import assert from "node:assert/strict";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GafferError } from "../../src/errors.ts";
import { hardenedGitResult, worktreeFingerprint } from "../../src/workspace/index.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";
import { workspaceFixture } from "./fixture.ts";

describe("workspace/git: a signal", () => {
  it("kills gaffer's hashing of a huge file the moment it aborts", async (t) => {
    const { ws } = await workspaceFixture(t);
    writeFileSync(join(ws.dir, "huge.bin"), "");
    truncateSync(join(ws.dir, "huge.bin"), 4 * 1024 ** 3);
    const stop = new AbortController();
    const started = Date.now();
    const hashing = worktreeFingerprint({ ...ws, signal: stop.signal });
    setTimeout(() => stop.abort(), 300);
    await assert.rejects(hashing, (error) => error instanceof GafferError && error.code === "git-failed");
    // Hashing 4 GB takes tens of seconds; killed, it ends right after the abort.
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  });

  it("runs nothing once the signal has aborted", async (t) => {
    const { ws } = await workspaceFixture(t);
    await assert.rejects(worktreeFingerprint({ ...ws, signal: AbortSignal.abort() }), GafferError);
  });
});

describe("workspace/git: an output cap", () => {
  it("stops git at the cap and keeps the head, where a whole answer is not needed", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    // 64 MiB of one repeated line: git would stream all of it.
    writeFileSync(join(dir, "big.txt"), "a line of text\n".repeat((64 * 1024 * 1024) / 15));
    const blob = gitOut(dir, "hash-object", "-w", "big.txt").trim();
    const capped = await hardenedGitResult(dir, ["cat-file", "blob", blob], { maxStdoutBytes: 1024 });
    assert.equal(capped.truncated, true);
    assert.equal(capped.stdout.length, 1024);
    assert.ok(capped.stdout.toString("utf8").startsWith("a line of text\n"));
    const whole = await hardenedGitResult(dir, ["cat-file", "-s", blob], { maxStdoutBytes: 1024 });
    assert.equal(whole.truncated, undefined);
    assert.equal(whole.exitCode, 0);
  });
});
