import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { createSandbox } from "../../src/sandbox/index.ts";
import { runProcess } from "../../src/util/process.ts";
import { runIn, sandboxFixture } from "./fixture.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

/** Whether a process whose command line holds `marker` exists on the host. */
function hostHas(marker: string): boolean {
  return spawnSync("pgrep", ["-f", marker]).status === 0;
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(25)) {
    if (condition()) return true;
  }
  return condition();
}

/**
 * A background shell in a session of its own, so that killing the command's process group cannot
 * reach it: only the end of the PID namespace can. It cannot exec `sleep` in place (a command
 * follows), so its $0 marker stays in its command line.
 */
const background = (marker: string) => `setsid sh -c 'sleep 1000; :' ${marker} &`;
/** Matches that background shell only, not the scripts (and bwrap) whose text holds the marker. */
const backgroundPattern = (marker: string) => `^sh -c sleep 1000; : ${marker}$`;

describe("bwrap sandbox: processes", { skip: sandboxSkip() }, () => {
  test("the PID namespace shows only the sandbox's processes", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const result = await runIn(sandbox, 'echo "pid $$"; ps -e -o comm=', { cwd: f.workspace, env: f.env });
    const [pid, ...commands] = result.output.trim().split("\n");
    assert.equal(pid, "pid 2");
    assert.deepEqual(commands.sort(), ["bwrap", "ps", "sh"]);
  });

  test("a background process does not outlive the sandboxed command", async (t) => {
    const f = sandboxFixture(t);
    const marker = `gaffer-bg-${randomUUID()}`;
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const script = `${background(marker)}\nsleep 0.2; pgrep -f '${backgroundPattern(marker)}' >/dev/null && echo started`;
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    assert.equal(result.output.trim(), "started");
    assert.ok(await waitFor(() => !hostHas(marker)), "the background process is gone");
  });

  test("killing the wrapped command's process group kills everything inside", async (t) => {
    const f = sandboxFixture(t);
    const marker = `gaffer-kill-${randomUUID()}`;
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const wrapped = sandbox.wrap(["/bin/sh", "-c", `${background(marker)}\nsleep 1000`], {
      cwd: f.workspace,
      env: f.env,
    });
    const abort = new AbortController();
    const [file = "", ...args] = wrapped.argv;
    const running = runProcess(file, args, { cwd: f.workspace, env: wrapped.env, signal: abort.signal });
    assert.ok(await waitFor(() => hostHas(backgroundPattern(marker))), "the background process started");
    abort.abort();
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.ok(await waitFor(() => !hostHas(marker)), "nothing from the sandbox survives");
  });

  test(
    "a sandboxed command cannot reach gaffer's terminal (no injecting input into it)",
    { skip: noScript() },
    (t) => {
      const f = sandboxFixture(t);
      const probe = spawnSync("script", ["-qec", `${process.execPath} ${TERMINAL_PROBE}`, "/dev/null"], {
        encoding: "utf8",
        env: { ...process.env, PROBE_POLICY: JSON.stringify(f.policy()) },
      });
      assert.equal(probe.status, 0, probe.stdout + probe.stderr);
      const report = probe.stdout.split(/\r?\n/).find((line) => line.startsWith("{"));
      // Under script(1) gaffer has a terminal, which its own plain children can open: the probe works.
      assert.deepEqual(JSON.parse(report ?? "{}"), { plain: "terminal", confined: "none" });
    },
  );
});

const TERMINAL_PROBE = fileURLToPath(new URL("./terminal-probe.ts", import.meta.url));

function noScript(): string | false {
  return spawnSync("script", ["--version"]).status === 0 ? false : "script(1) is not installed";
}
