import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createSandbox } from "../../src/sandbox/index.ts";
import { git, gitOut } from "../helpers/git.ts";
import { runIn, sandboxFixture, tryWrites } from "./fixture.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

const COMMIT = [
  "echo change > feature.txt",
  "git add feature.txt",
  "git -c user.name=a -c user.email=b commit --quiet -m feature",
  "git log --format=%s",
].join(" && ");

describe("bwrap sandbox: git in the workspace", { skip: sandboxSkip() }, () => {
  test("git commit works inside the workspace clone", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const result = await runIn(sandbox, COMMIT, { cwd: f.workspace, env: f.env });
    assert.equal(result.exitCode, 0, result.output);
    assert.equal(result.output.trim(), "feature\ninitial");
    assert.equal(gitOut(f.workspace, "log", "-1", "--format=%s"), "feature");
  });

  test("git commit works when the project lives in the hidden HOME (its objects stay readable)", async (t) => {
    const f = sandboxFixture(t);
    const project = join(f.realHome, "code", "project");
    const workspace = join(project, ".gaffer", "workspaces", "run-1");
    git(f.project, "clone", "--quiet", f.project, project);
    git(project, "clone", "--quiet", "--shared", project, workspace);
    const sandbox = createSandbox(f.policy({ workspace, deny: [join(project, ".gaffer")] }), "bwrap");
    t.after(() => sandbox.close());
    const result = await runIn(sandbox, `ls -A ${project}; ${COMMIT}`, { cwd: workspace, env: f.env });
    assert.equal(result.exitCode, 0, result.output);
    assert.equal(result.output.trim(), ".gaffer\n.git\nfeature\ninitial");
  });

  test("config, hooks, info and alternates are read-only, and .git cannot be moved aside", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const git = join(f.workspace, ".git");
    const alternates = join(git, "objects", "info", "alternates");
    const before = readFileSync(alternates, "utf8");
    const targets = ["config", "hooks/pre-commit", "info/attributes", "objects/info/alternates"].map((p) =>
      join(git, p),
    );
    const script = `${tryWrites(targets)}\nmv .git .git-aside 2>&1 || true`;
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    const lines = result.output.trim().split("\n");
    assert.equal(lines.length, 5, result.output);
    for (const line of lines.slice(0, 4)) assert.match(line, /: .*Read-only file system$/);
    assert.match(lines[4] ?? "", /busy/i);
    assert.equal(existsSync(join(git, "hooks", "pre-commit")), false);
    assert.equal(readFileSync(alternates, "utf8"), before);
    assert.equal(existsSync(join(f.workspace, ".git-aside")), false);
  });
});
