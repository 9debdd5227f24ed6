import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { treeSnapshot } from "../helpers/tree.ts";
import { gitRepo } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";

const READ_COMMANDS = [
  ["status"],
  ["status", "--json"],
  ["runs"],
  ["runs", "--json"],
  ["show", "1"],
  ["show", "1", "--json"],
  ["logs", "1"],
  ["logs", "1", "--json"],
  ["issue", "list", "--all"],
  ["issue", "show", "2", "--json"],
  ["cost"],
  ["cost", "--json"],
];

describe("e2e: read commands write nothing", () => {
  it("status, runs, show, logs and issue list/show leave .gaffer and .git byte for byte", async (t) => {
    const dir = await sampleProject(t);
    assert.equal((await gaffer(["run", "1"], { cwd: dir })).code, 0);
    const before = [...treeSnapshot(join(dir, ".gaffer")), ...treeSnapshot(join(dir, ".git"))];
    for (const args of READ_COMMANDS) {
      const result = await gaffer(args, { cwd: dir });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    assert.deepEqual([...treeSnapshot(join(dir, ".gaffer")), ...treeSnapshot(join(dir, ".git"))], before);
  });

  it("in a repository gaffer has never touched, they create nothing", async (t) => {
    const dir = gitRepo(t, { "README.md": "hi\n" });
    for (const args of [["status"], ["runs"], ["issue", "list"]]) {
      assert.equal((await gaffer(args, { cwd: dir })).code, 0);
    }
    assert.equal(existsSync(join(dir, ".gaffer")), false);
  });
});
