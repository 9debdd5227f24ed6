import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compressFailure, type GateCommand, type GateRunOptions, runGate } from "../../src/gate/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

function step(name: string, run: string, timeoutMs = 10_000): GateCommand {
  return { name, run, timeoutMs };
}

function options(dir: string, extra: Partial<GateRunOptions> = {}): GateRunOptions {
  return {
    cwd: dir,
    env: process.env,
    logDir: join(dir, "logs"),
    attempt: 1,
    storeOutputBytes: 64 * 1024,
    ...extra,
  };
}

/** Alive means running: a zombie waiting for a reaper is already gone as far as gates go. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("gate runner", () => {
  it("runs every command in the workspace and passes when all exit 0", async (t) => {
    const dir = tempDir(t);
    const started: string[] = [];
    const finished: string[] = [];
    const outcome = await runGate([step("lint", "echo linted; pwd"), step("test", "echo tested >&2")], {
      ...options(dir),
      onStart: (name) => started.push(name),
      onFinish: (execution) => finished.push(`${execution.name}:${execution.passed}`),
    });
    assert.equal(outcome.passed, true);
    assert.deepEqual(started, ["lint", "test"]);
    assert.deepEqual(finished, ["lint:true", "test:true"]);
    const [lint, test] = outcome.executions;
    assert.equal(lint?.output, `linted\n${dir}\n`);
    assert.equal(test?.output, "tested\n");
    assert.equal(lint?.logPath, join(dir, "logs", "attempt-1-lint.log"));
    assert.equal(readFileSync(lint?.logPath ?? "", "utf8"), lint?.output);
  });

  it("stops at the first failing command and records its exit code", async (t) => {
    const dir = tempDir(t);
    const outcome = await runGate(
      [step("lint", "echo ok"), step("test", "echo boom; exit 3"), step("never", "touch ran")],
      options(dir, { attempt: 2 }),
    );
    assert.equal(outcome.passed, false);
    assert.deepEqual(
      outcome.executions.map((e) => [e.name, e.exitCode, e.passed]),
      [
        ["lint", 0, true],
        ["test", 3, false],
      ],
    );
    assert.equal(existsSync(join(dir, "ran")), false);
    assert.equal(existsSync(join(dir, "logs", "attempt-2-test.log")), true);
  });

  it("passes the environment through and never counts an empty gate as passing", async (t) => {
    const dir = tempDir(t);
    const env = { ...process.env, GATE_MARK: "m42" };
    const outcome = await runGate([step("env", 'test "$GATE_MARK" = m42')], options(dir, { env }));
    assert.equal(outcome.passed, true);
    assert.equal((await runGate([], options(dir))).passed, false);
  });

  it("kills the whole process group on timeout, backgrounded children included", async (t) => {
    const dir = tempDir(t);
    const run = "sleep 30 & echo $! > child.pid; echo started; wait";
    const outcome = await runGate([step("slow", run, 500)], options(dir));
    const [slow] = outcome.executions;
    assert.equal(outcome.passed, false);
    assert.equal(slow?.timedOut, true);
    assert.equal(slow?.passed, false);
    assert.match(slow?.output ?? "", /started/);
    const child = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    assert.ok(child > 0);
    await waitFor(() => !isAlive(child), `child ${child} to be gone`);
  });

  it("ends a step when its shell exits, killing a background child that holds the output open", async (t) => {
    const dir = tempDir(t);
    const started = Date.now();
    const outcome = await runGate([step("bg", "sleep 5 & echo $! > child.pid; echo hi", 3000)], options(dir));
    assert.equal(outcome.executions[0]?.passed, true);
    assert.match(outcome.executions[0]?.output ?? "", /hi/);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const child = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    await waitFor(() => !isAlive(child), `child ${child} to be gone`);
  });

  it("caps the stored output to head and tail while the log keeps all of it", async (t) => {
    const dir = tempDir(t);
    const run = "i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; exit 1";
    const outcome = await runGate([step("noisy", run)], options(dir, { storeOutputBytes: 200 }));
    const [noisy] = outcome.executions;
    assert.ok(noisy);
    const log = readFileSync(noisy.logPath);
    assert.equal(noisy.outputBytes, log.length);
    assert.equal(noisy.outputSha256, createHash("sha256").update(log).digest("hex"));
    assert.match(log.toString(), /^line-0\n[\s\S]*\nline-1999\n$/);
    assert.ok(noisy.output.startsWith("line-0\n"));
    assert.ok(noisy.output.endsWith("line-1999\n"));
    assert.match(noisy.output, /bytes omitted/);
    assert.ok(Buffer.byteLength(noisy.output) < 300);
  });

  it("detects a command that is not found", async (t) => {
    const dir = tempDir(t);
    const outcome = await runGate([step("lint", "no-such-tool-gaffer --check .")], options(dir));
    const [lint] = outcome.executions;
    assert.equal(lint?.exitCode, 127);
    assert.equal(lint?.notFound, true);
    assert.equal(lint?.passed, false);
    const plain = await runGate([step("test", "exit 127")], options(dir));
    assert.equal(plain.executions[0]?.notFound, false);
  });

  it("records a shell that cannot start as not found, with the reason as output", async (t) => {
    const dir = tempDir(t);
    const outcome = await runGate([step("test", "true")], options(dir, { cwd: join(dir, "missing") }));
    const [test] = outcome.executions;
    assert.equal(test?.notFound, true);
    assert.equal(test?.passed, false);
    assert.match(test?.output ?? "", /could not start/);
    assert.equal(readFileSync(test?.logPath ?? "", "utf8"), test?.output);
  });

  it("kills the running command on abort and starts no other", async (t) => {
    const dir = tempDir(t);
    const controller = new AbortController();
    const commands = [step("slow", "echo go; sleep 30"), step("never", "touch ran")];
    const running = runGate(commands, {
      ...options(dir),
      signal: controller.signal,
      // Abort once the command is running: its first output is in its log.
      onStart: (name) => {
        const log = join(dir, "logs", `attempt-1-${name}.log`);
        void waitFor(
          () => existsSync(log) && readFileSync(log, "utf8").includes("go"),
          "the command's first output",
        ).then(() => controller.abort());
      },
    });
    const started = Date.now();
    const outcome = await running;
    assert.ok(Date.now() - started < 10_000);
    assert.equal(outcome.passed, false);
    assert.deepEqual(
      outcome.executions.map((e) => [e.name, e.passed]),
      [["slow", false]],
    );
    assert.equal(existsSync(join(dir, "ran")), false);
  });

  it("tells a SIGKILL from outside apart from a red gate and from its own timeout", async (t) => {
    const dir = tempDir(t);
    const run = async (command: string, timeoutMs?: number) =>
      (await runGate([step("test", command, timeoutMs)], options(dir))).executions[0];
    const itself = await run("kill -9 $$");
    assert.equal(itself?.signal, "SIGKILL");
    assert.equal(itself?.killedFromOutside, true);
    // A shell or the sandbox's init reports what SIGKILL ended as exit 137.
    const child = await run("sh -c 'kill -9 $$'; exit $?");
    assert.equal(child?.exitCode, 137);
    assert.equal(child?.killedFromOutside, true);
    assert.equal((await run("exit 1"))?.killedFromOutside, false);
    const timedOut = await run("sleep 30", 300);
    assert.equal(timedOut?.timedOut, true);
    assert.equal(timedOut?.killedFromOutside, false);
    for (const execution of [itself, child, timedOut]) assert.equal(execution?.passed, false);
  });
  it("with parallel, starts every step at once: each waits for the other to have started", async (t) => {
    const dir = tempDir(t);
    const meet = (mine: string, theirs: string, timeoutMs = 30_000) =>
      step(
        mine,
        `touch ${mine}.started; while [ ! -e ${theirs}.started ]; do sleep 0.01; done; echo ${mine}`,
        timeoutMs,
      );
    // One after another, the first waits in vain for the second until its timeout.
    const sequential = await runGate([meet("a", "b", 500), meet("b", "a", 500)], options(dir));
    assert.equal(sequential.executions[0]?.timedOut, true, "the steps meet only when they run together");
    for (const marker of ["a.started", "b.started"]) rmSync(join(dir, marker), { force: true });
    const outcome = await runGate([meet("a", "b"), meet("b", "a")], options(dir, { parallel: true }));
    assert.equal(outcome.passed, true);
    assert.deepEqual(
      outcome.executions.map((e) => [e.name, e.output]),
      [
        ["a", "a\n"],
        ["b", "b\n"],
      ],
    );
  });

  it("with parallel, reports the steps in declared order: the first failing one first, every output kept", async (t) => {
    const dir = tempDir(t);
    const started: string[] = [];
    const finished: string[] = [];
    // The test fails first; the lint fails only after it, and is still the first failure reported.
    const commands = [
      step("lint", "while [ ! -e test.done ]; do sleep 0.01; done; echo 'lint: E501 line too long'; exit 1"),
      step("test", "echo 'FAILED test_x.py::test_add - assert 1 == 2'; touch test.done; exit 2"),
      step("types", "echo typed"),
    ];
    const outcome = await runGate(commands, {
      ...options(dir, { parallel: true }),
      onStart: (name) => started.push(name),
      onFinish: (execution) => finished.push(execution.name),
    });
    assert.equal(outcome.passed, false);
    assert.deepEqual(started, ["lint", "test", "types"]);
    assert.deepEqual(finished, ["lint", "test", "types"]);
    assert.deepEqual(
      outcome.executions.map((e) => [e.name, e.exitCode, e.passed]),
      [
        ["lint", 1, false],
        ["test", 2, false],
        ["types", 0, true],
      ],
    );
    const [lint, test, types] = outcome.executions;
    assert.match(lint?.output ?? "", /E501/);
    assert.match(test?.output ?? "", /FAILED test_x\.py::test_add/);
    assert.equal(types?.output, "typed\n");
    for (const execution of outcome.executions)
      assert.equal(readFileSync(execution.logPath, "utf8"), execution.output, `${execution.name}'s own log`);
    const feedback = compressFailure(outcome.executions, { maxBytes: 4096 });
    assert.ok(
      feedback.indexOf('"lint"') >= 0 && feedback.indexOf('"lint"') < feedback.indexOf('"test"'),
      feedback,
    );
  });

  it("with parallel, an abort kills every running step", async (t) => {
    const dir = tempDir(t);
    const controller = new AbortController();
    const slow = (name: string) => step(name, `echo go > ${name}.go; sleep 30`);
    const running = runGate([slow("one"), slow("two")], {
      ...options(dir, { parallel: true }),
      signal: controller.signal,
    });
    await waitFor(
      () => ["one", "two"].every((name) => existsSync(join(dir, `${name}.go`))),
      "both steps to be running",
    );
    controller.abort();
    const outcome = await running;
    assert.equal(outcome.passed, false);
    assert.deepEqual(
      outcome.executions.map((e) => [e.name, e.passed]),
      [
        ["one", false],
        ["two", false],
      ],
    );
  });
});
