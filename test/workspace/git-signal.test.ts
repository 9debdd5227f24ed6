import assert from "node:assert/strict";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GafferError } from "../../src/errors.ts";
import { worktreeFingerprint } from "../../src/workspace/index.ts";
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
