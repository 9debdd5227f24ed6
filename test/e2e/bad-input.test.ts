import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listItems, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { type CliResult, gaffer } from "../helpers/cli.ts";
import { git } from "../helpers/git.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";

const GATE = `[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

/** The error is the last line of stderr: one line, starting "gaffer: ", with no stack trace. */
function assertOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  const lastLine = result.stderr.trimEnd().split("\n").at(-1) ?? "";
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.match(lastLine, /^gaffer: /);
  assert.match(lastLine, pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
}

async function state(dir: string) {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store);
  try {
    return { items: (await listItems(store.db, { state: "all" })).length, runs: await listRuns(store.db) };
  } finally {
    await store.close();
  }
}

async function withConfig(t: TestContext, config: string): Promise<string> {
  const dir = await sampleProject(t);
  writeFileSync(join(dir, "gaffer.toml"), config);
  return dir;
}

describe("e2e: bad input gets one clear line and loses nothing", () => {
  it("malformed gaffer.toml", async (t) => {
    const dir = await withConfig(t, "[gate\nmax_fix_attempts = 2\n");
    assertOneLineError(await gaffer(["run", "1"], { cwd: dir }), 78, /gaffer\.toml:1: /);
    assert.equal((await state(dir)).items, 3);
  });

  it("unknown key in gaffer.toml, with a did-you-mean", async (t) => {
    const dir = await withConfig(t, `[gate]\nmax_fix_atempts = 1\n${GATE}`);
    assertOneLineError(
      await gaffer(["run", "1"], { cwd: dir }),
      78,
      /gaffer\.toml:2: unknown key "max_fix_atempts".*did you mean "max_fix_attempts"/,
    );
  });

  it("unknown agent", async (t) => {
    const dir = await sampleProject(t);
    assertOneLineError(
      await gaffer(["run", "1", "--agent", "scriptd"], { cwd: dir }),
      78,
      /unknown agent "scriptd".*did you mean "scripted"/,
    );
    assert.equal((await state(dir)).runs.length, 0);
  });

  it("missing item", async (t) => {
    const dir = await sampleProject(t);
    assertOneLineError(await gaffer(["run", "99"], { cwd: dir }), 66, /no item #99/);
    assertOneLineError(await gaffer(["run", "abc"], { cwd: dir }), 64, /"abc" is not an item id/);
  });

  it("not a git repository", async (t) => {
    const dir = tempDir(t);
    assertOneLineError(await gaffer(["status"], { cwd: dir }), 64, /is not a git repository/);
    assertOneLineError(await gaffer(["issue", "add", "x"], { cwd: dir }), 64, /is not a git repository/);
  });

  it("a bare repository", async (t) => {
    const dir = join(tempDir(t), "remote.git");
    git(tempDir(t), "init", "-q", "--bare", dir);
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      64,
      /is a bare git repository: gaffer needs one with a working tree — clone it/,
    );
  });

  it("an item body past 256 KiB, filed or edited", async (t) => {
    const dir = await sampleProject(t);
    const big = join(tempDir(t), "big.md");
    writeFileSync(big, "x".repeat(256 * 1024 + 1));
    const before = await state(dir);
    assertOneLineError(
      await gaffer(["issue", "add", "huge", "--body-file", big], { cwd: dir }),
      65,
      /the body of item "huge" is 262145 bytes; an item body holds at most 262144 \(256 KiB\) — put long material in a file/,
    );
    assertOneLineError(
      await gaffer(["issue", "edit", "1", "--body-file", big], { cwd: dir }),
      65,
      /at most 262144 \(256 KiB\)/,
    );
    assert.deepEqual(await state(dir), before, "nothing was filed or changed");
  });

  it("a project with no commits", async (t) => {
    const dir = tempDir(t);
    git(dir, "init", "-q", "-b", "main");
    writeFileSync(join(dir, "gaffer.toml"), GATE);
    assert.equal((await gaffer(["issue", "add", "first"], { cwd: dir })).code, 0);
    assertOneLineError(await gaffer(["run", "1"], { cwd: dir }), 65, /has no commits/);
    assert.equal((await state(dir)).runs.length, 0);
  });

  it("agent binary not found", async (t) => {
    const dir = await withConfig(
      t,
      `${GATE}[agents.ghost]\ndriver = "acp"\ncommand = "no-such-agent-xyz --acp"\n`,
    );
    assertOneLineError(
      await gaffer(["run", "1", "--agent", "ghost"], { cwd: dir }),
      69,
      /agent command not found: no-such-agent-xyz/,
    );
    assert.equal((await state(dir)).runs.length, 0, "no run was created");
  });

  it("agent crash mid-run: the run fails, the workspace stays, and it can be resumed", async (t) => {
    const dir = await sampleProject(t);
    const id = await fileItem(
      dir,
      scenarioItem(
        "crashes",
        `
[[attempts]]
steps = [ { write = "notes.txt", content = "half done" }, { crash = 3, message = "segfault in the model" } ]
`,
      ),
    );
    assertOneLineError(
      await gaffer(["run", String(id)], { cwd: dir }),
      1,
      /agent failed on attempt 1: agent exited with code 3/,
    );
    const [run] = (await state(dir)).runs;
    assert.equal(run?.state, "failed");
    assert.ok(run?.workspace);
    assert.equal(readFileSync(join(run.workspace, "notes.txt"), "utf8"), "half done");
  });

  it("gate command not found", async (t) => {
    const dir = await withConfig(
      t,
      `[[gate.commands]]\nname = "lint"\nrun = "no-such-linter-xyz --check ."\n`,
    );
    assertOneLineError(
      await gaffer(["run", "1"], { cwd: dir }),
      78,
      /gate command "lint" needs "no-such-linter-xyz"/,
    );
    const [run] = (await state(dir)).runs;
    assert.equal(run?.state, "failed");
    assert.equal(run?.attempt, 0, "no agent time was spent");
  });

  it("a scenario file that does not parse", async (t) => {
    const dir = await withConfig(t, `${GATE}[agents.bad]\ndriver = "scripted"\nscenario = "bad.toml"\n`);
    writeFileSync(join(dir, "bad.toml"), `[[attempts]]\nsteps = [ { wrte = "x" } ]\n`);
    assertOneLineError(await gaffer(["run", "1", "--agent", "bad"], { cwd: dir }), 65, /bad\.toml:2: /);
    writeFileSync(join(dir, "bad.toml"), `[[attempts]\n`);
    assertOneLineError(await gaffer(["run", "1", "--agent", "bad"], { cwd: dir }), 65, /bad\.toml:1: /);
    assert.equal((await state(dir)).runs.length, 0);
  });

  it("usage errors exit 64", async (t) => {
    const dir = await sampleProject(t);
    const result = await gaffer(["frobnicate"], { cwd: dir });
    assert.equal(result.code, 64);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });
});
