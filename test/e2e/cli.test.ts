import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectSandbox } from "../../src/sandbox/index.ts";
import { describe, it } from "node:test";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitForEvent } from "../helpers/wait.ts";

const NODE_GATE = `[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

describe("e2e: the CLI as a user drives it", () => {
  it("init writes a commented gaffer.toml with the detected gate and hides .gaffer from git", async (t) => {
    const dir = gitRepo(t, {
      "package.json": JSON.stringify({ scripts: { test: "node --test", lint: "eslint ." } }),
    });
    const result = await gaffer(["init"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const config = readFileSync(join(dir, "gaffer.toml"), "utf8");
    assert.match(config, /run = "npm run lint"/);
    assert.match(config, /run = "npm test"/);
    assert.ok(existsSync(join(dir, ".gaffer")));
    assert.match(readFileSync(join(dir, ".git", "info", "exclude"), "utf8"), /^\/\.gaffer\/$/m);
    assert.equal(gitOut(dir, "status", "--porcelain", "--ignored"), "?? gaffer.toml");
    assert.equal((await gaffer(["init"], { cwd: dir })).code, 64, "refuses to overwrite");
    if (detectSandbox().available) assert.match(config, /^mode = "required"$/m, "bubblewrap works here");
    else assert.match(config, /# No sandbox can be made on this machine/);
    const unsandboxed = await gaffer(["init", "--force"], {
      cwd: dir,
      env: { GAFFER_BWRAP: "/nonexistent/bwrap" },
    });
    assert.equal(unsandboxed.code, 0);
    const explained = readFileSync(join(dir, "gaffer.toml"), "utf8");
    assert.match(explained, /^# No sandbox can be made on this machine \(bubblewrap is not installed/m);
    assert.doesNotMatch(explained, /^mode =/m);
  });

  it("init never copies a project's .env into workspaces, and says how to opt in", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    writeFileSync(join(dir, ".env"), "API_TOKEN=local-token-1234\n");
    assert.equal((await gaffer(["init"], { cwd: dir })).code, 0);
    const config = readFileSync(join(dir, "gaffer.toml"), "utf8");
    assert.match(config, /^copy = \[\]$/m);
    assert.match(config, /^# copy_secrets = false$/m);
  });

  it("init finds pytest in a flat Python project by its test files", async (t) => {
    const layouts: Record<string, string>[] = [
      { "test_calc.py": "def test_add(): pass\n" },
      { "tests/calc_test.py": "" },
    ];
    for (const files of layouts) {
      const dir = gitRepo(t, { "calc.py": "def add(a, b): return a + b\n", ...files });
      assert.equal((await gaffer(["init"], { cwd: dir })).code, 0);
      assert.match(
        readFileSync(join(dir, "gaffer.toml"), "utf8"),
        /^run = "pytest -q"$/m,
        Object.keys(files)[0],
      );
    }
  });

  it("files, lists, edits, closes and shows items", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    const added = await gaffer(
      ["issue", "add", "Add a flag", "-b", "Details", "-l", "cli", "-p", "2", "--json"],
      { cwd: dir },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).id, 1);
    assert.equal((await gaffer(["issue", "add", "Docs", "-d", "1"], { cwd: dir })).code, 0);
    assert.equal((await gaffer(["issue", "add", "Bad", "-d", "7"], { cwd: dir })).code, 66);
    assert.equal(
      (await gaffer(["issue", "edit", "2", "--title", "Write the docs", "-l", "docs"], { cwd: dir })).code,
      0,
    );
    assert.equal((await gaffer(["issue", "close", "1"], { cwd: dir })).code, 0);
    const open = JSON.parse((await gaffer(["issue", "list", "--json"], { cwd: dir })).stdout);
    assert.deepEqual(
      open.map((i: { id: number; title: string; labels: string[]; dependsOn: number[] }) => [
        i.id,
        i.title,
        i.labels,
        i.dependsOn,
      ]),
      [[2, "Write the docs", ["docs"], [1]]],
    );
    const shown = await gaffer(["issue", "show", "1"], { cwd: dir });
    assert.match(shown.stdout, /#1 Add a flag/);
    assert.match(shown.stdout, /state: closed {3}priority: 2 {3}labels: cli/);
    assert.equal((await gaffer(["issue", "edit", "1", "--open"], { cwd: dir })).code, 0);
    assert.equal(JSON.parse((await gaffer(["issue", "list", "--json"], { cwd: dir })).stdout).length, 2);
  });

  it("running an item again says how its last run ended, and points a failed one to --resume", async (t) => {
    const dir = await sampleProject(t);
    const first = await gaffer(["run", "3"], { cwd: dir });
    assert.equal(first.code, 2, first.stderr);
    assert.doesNotMatch(first.stderr, /ran before/);
    const again = await gaffer(["run", "3"], { cwd: dir });
    assert.match(
      again.stderr,
      /item #3 ran before: run 1 gave up \(.+\); this starts a new run from the base; its report: `gaffer show 1`/,
    );

    const crashing = await fileItem(
      dir,
      scenarioItem("crashes", `[[attempts]]\nsteps = [{ crash = 3, message = "segfault" }]\n`),
    );
    assert.notEqual((await gaffer(["run", String(crashing)], { cwd: dir })).code, 0);
    const retried = await gaffer(["run", String(crashing)], { cwd: dir });
    assert.match(
      retried.stderr,
      new RegExp(
        `item #${crashing} ran before: run 3 failed \\(.+\\); this starts a new run from the base, while \`gaffer run ${crashing} --resume\` would continue run 3`,
      ),
    );
  });

  it("runs any CLI through AGENT_CMD, follows its log live, and discards it with a snapshot", async (t) => {
    // "preferred": a real agent needs a sandbox unless the project says otherwise, and this test
    // runs on machines without bubblewrap too.
    const dir = await sampleProject(t, `[sandbox]\nmode = "preferred"\n\n${NODE_GATE}`);
    const bin = tempDir(t, "gaffer-agent-");
    const agent = join(bin, "fake-agent");
    writeFileSync(
      agent,
      `#!/bin/sh\n# a tiny agent: reads its brief, then makes the change\ngrep -q "multiply" "$1" || exit 9\nsleep 1\nprintf 'export const multiply = (a, b) => a * b;\\n' >> src/calc.js\necho "done, attempt $GAFFER_ATTEMPT"\n`,
    );
    chmodSync(agent, 0o755);
    const env = { AGENT_CMD: `${agent} {prompt_file}` };

    const run = startGaffer(["run", "1", "--agent", "command"], { cwd: dir, env });
    const running = collect(run);
    await waitForEvent(dir, "attempt.started");
    const follow = await gaffer(["logs", "1", "--follow"], { cwd: dir });
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.match(follow.stdout, /agent\.output .*done, attempt 1/);
    assert.match(follow.stdout, /run\.proposed/, "--follow printed until the run ended");
    assert.match(
      gitOut(dir, "show", "gaffer/1-add-a-multiply-function:src/calc.js"),
      /export const multiply/,
    );

    const discarded = await gaffer(["discard", "1"], { cwd: dir });
    assert.equal(discarded.code, 0, discarded.stderr);
    assert.match(gitOut(dir, "show", "refs/gaffer/snapshots/1:src/calc.js"), /export const multiply/);
    const status = JSON.parse((await gaffer(["status", "--json"], { cwd: dir })).stdout);
    assert.equal(status.openItems, 3);
    assert.equal((await gaffer(["discard", "1"], { cwd: dir })).code, 64, "already discarded");
  });
});
