import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type GateCommand, preflightGate } from "../../src/gate/index.ts";
import { tempDir } from "../helpers/tmp.ts";

function gate(entries: Record<string, string>): GateCommand[] {
  return Object.entries(entries).map(([name, run]) => ({ name, run, timeoutMs: 1000 }));
}

describe("gate preflight", () => {
  it("finds programs on PATH, shell builtins and existing relative paths", async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "check"), "#!/bin/sh\n");
    chmodSync(join(dir, "bin", "check"), 0o755);
    const commands = gate({
      list: "ls -la",
      builtin: "test -d .",
      local: "./bin/check --all",
      quoted: '"ls" .',
      syntax: "if true; then ls; fi",
    });
    assert.deepEqual(await preflightGate(commands, { cwd: dir, env: process.env }), []);
  });

  it("names each missing program and its step", async (t) => {
    const dir = tempDir(t);
    const commands = gate({
      lint: "ruff-gaffer-missing check .",
      test: "./node_modules/.bin/vitest run",
      ok: "ls",
    });
    assert.deepEqual(await preflightGate(commands, { cwd: dir, env: process.env }), [
      'gate command "lint" needs "ruff-gaffer-missing", which is not on PATH',
      'gate command "test" needs "./node_modules/.bin/vitest", which does not exist',
    ]);
  });

  it("skips VAR=value prefixes and a leading cd, and uses the given PATH", async (t) => {
    const dir = tempDir(t);
    const tools = join(dir, "tools");
    mkdirSync(tools);
    writeFileSync(join(tools, "mytool"), "#!/bin/sh\n");
    chmodSync(join(tools, "mytool"), 0o755);
    const commands = gate({
      env: "CI=1 NODE_ENV=test mytool --run",
      cd: "cd sub && FOO=bar mytool",
      missing: "CI=1 not-a-tool-gaffer",
    });
    const env = { ...process.env, PATH: `${tools}:${process.env.PATH}` };
    assert.deepEqual(await preflightGate(commands, { cwd: dir, env }), [
      'gate command "missing" needs "not-a-tool-gaffer", which is not on PATH',
    ]);
    const withoutTools = await preflightGate(commands.slice(0, 1), { cwd: dir, env: process.env });
    assert.equal(withoutTools.length, 1);
  });

  it("calls a check that could not run the machine's failure, not a missing program", async (t) => {
    const dir = tempDir(t);
    const broken = (argv: readonly string[]) => ({
      argv: ["/bin/sh", "-c", "echo 'bwrap: cannot start' >&2; exit 1", ...argv],
      env: process.env,
    });
    await assert.rejects(preflightGate(gate({ test: "ls" }), { cwd: dir, env: process.env, wrap: broken }), {
      code: "sandbox-unavailable",
      message: "could not check the gate's programs in the run's sandbox: bwrap: cannot start",
    });
  });
});
