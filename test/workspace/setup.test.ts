import assert from "node:assert/strict";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runSetup, type SetupStep } from "../../src/workspace/index.ts";
import { gitOut, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { workspaceFixture } from "./fixture.ts";
import { waitFor } from "../helpers/wait.ts";

const noCommands = { commands: [] };

describe("workspace/setup", () => {
  it("copies listed files, notes missing ones, and keeps the copies out of commits", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    writeFiles(project, { ".env": "TOKEN=secret\n", "config/local.json": "{}" });
    const steps: SetupStep[] = [];
    await runSetup({
      project,
      workspace: ws.dir,
      copy: [".env", "config/local.json", "missing.txt"],
      onStep: (step) => steps.push(step),
      ...noCommands,
    });
    assert.deepEqual(steps, [
      { kind: "copied", path: ".env", secret: true },
      { kind: "copied", path: "config/local.json", secret: false },
      { kind: "missing", path: "missing.txt" },
    ]);
    assert.equal(readFileSync(join(ws.dir, ".env"), "utf8"), "TOKEN=secret\n");
    assert.equal(readFileSync(join(ws.dir, "config/local.json"), "utf8"), "{}");
    assert.equal(gitOut(ws.dir, "status", "--porcelain", "--untracked-files=all"), "");
  });

  it("refuses paths that escape the project or reach into .git", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    for (const path of ["../outside", "/etc/passwd", "a/../../b"]) {
      const setup = runSetup({ project, workspace: ws.dir, copy: [path], ...noCommands });
      await assert.rejects(setup, {
        code: "config-invalid",
        message: `setup copy "${path}" is outside the project`,
      });
    }
  });

  it("never writes through a symlink out of the workspace", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const outside = tempDir(t);
    symlinkSync(outside, join(ws.dir, "conf"));
    writeFiles(project, { "conf/app.ini": "x" });
    const setup = runSetup({ project, workspace: ws.dir, copy: ["conf/app.ini"], ...noCommands });
    await assert.rejects(setup, { code: "workspace-tampered" });
    assert.ok(!existsSync(join(outside, "app.ini")));
  });

  it("runs commands in order in the workspace with the given environment", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const steps: SetupStep[] = [];
    await runSetup({
      project,
      workspace: ws.dir,
      copy: [],
      commands: [
        { name: "first", run: 'echo "$GREETING" > out.txt', timeoutMs: 5000 },
        { name: "second", run: "cat out.txt && pwd", timeoutMs: 5000 },
      ],
      env: { ...process.env, GREETING: "hello" },
      onStep: (step) => steps.push(step),
    });
    const second = steps[1];
    assert.equal(second?.kind, "command");
    assert.equal(second.kind === "command" && second.output, `hello\n${ws.dir}\n`);
  });

  it("stops at a failing command with its exit code and last line", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const setup = runSetup({
      project,
      workspace: ws.dir,
      copy: [],
      commands: [
        { name: "install", run: "echo resolving; echo 'E404 not found' >&2; exit 3", timeoutMs: 5000 },
        { name: "never", run: "touch never", timeoutMs: 5000 },
      ],
    });
    await assert.rejects(setup, {
      code: "gate-unavailable",
      message: 'setup step "install" failed (exit 3): E404 not found',
    });
    assert.ok(!existsSync(join(ws.dir, "never")));
  });

  it("stops a command when cancelled", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const controller = new AbortController();
    const commands = [{ name: "long", run: "touch started; sleep 30", timeoutMs: 60_000 }];
    const setup = runSetup({ project, workspace: ws.dir, copy: [], commands, signal: controller.signal });
    await waitFor(() => existsSync(join(ws.dir, "started")), "the command to start");
    controller.abort();
    await assert.rejects(setup, { code: "cancelled", message: 'setup step "long" was cancelled' });
  });

  it("kills a command that runs past its timeout", async (t) => {
    const { project, ws } = await workspaceFixture(t);
    const started = Date.now();
    const setup = runSetup({
      project,
      workspace: ws.dir,
      copy: [],
      commands: [{ name: "hang", run: "sleep 30", timeoutMs: 200 }],
    });
    await assert.rejects(setup, { code: "gate-unavailable", message: /"hang" timed out after 0.2s/ });
    assert.ok(Date.now() - started < 10_000);
  });
});
