import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ccCiProject, startSessions } from "../factory/cc-ci.ts";
import { gaffer } from "../helpers/cli.ts";
import { treeSnapshot } from "../helpers/tree.ts";
import { fileItem } from "../helpers/project.ts";
import { claudeInstalled } from "../helpers/stub-agent.ts";
import { tempDir } from "../helpers/tmp.ts";

const READ_COMMANDS = [
  ["status"],
  ["status", "--json"],
  ["validate"],
  ["validate", "--json"],
  ["phase", "show"],
  ["phase", "show", "--json"],
  ["kickoff", "builder"],
  ["kickoff", "adversary", "--phase", "dstamp"],
];

describe("e2e: the factory's read commands write nothing", () => {
  it("leave the project, .gaffer/, the agents.toml log_dir and the fleet file byte for byte", async (t) => {
    const dir = ccCiProject(t);
    await fileItem(dir, { title: "Keep the runner green", body: "" });
    startSessions(t, dir, ["cc-ci-builder", "cc-ci-watchdog"]);
    assert.ok(
      existsSync(join(dir, ".ao-state", "state", "phase-idx")) &&
        existsSync(join(dir, ".gaffer", "gaffer.db")),
    );
    const home = tempDir(t);
    const fleet = join(home, "fleet.toml");
    writeFileSync(fleet, `[projects.cc-ci]\npath = "${dir}"\nenabled = false\n`);
    const before = [...treeSnapshot(dir), ...treeSnapshot(home)];
    for (const args of [
      ...READ_COMMANDS,
      ["fleet", "validate", "--fleet", fleet],
      ["fleet", "status", "--fleet", fleet],
    ]) {
      const result = await gaffer(args, { cwd: dir, env: claudeInstalled(t) });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    assert.deepEqual([...treeSnapshot(dir), ...treeSnapshot(home)], before);
  });

  it("create neither .gaffer/ nor the log dir where there are none", async (t) => {
    const dir = ccCiProject(t);
    rmSync(join(dir, ".ao-state"), { recursive: true });
    const before = treeSnapshot(dir);
    const fleet = join(tempDir(t), "fleet.toml");
    writeFileSync(fleet, `[projects.cc-ci]\npath = "${dir}"\n`);
    for (const args of [
      ...READ_COMMANDS,
      ["fleet", "validate", "--fleet", fleet],
      ["fleet", "status", "--fleet", fleet],
    ]) {
      const result = await gaffer(args, { cwd: dir, env: claudeInstalled(t) });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    assert.equal(existsSync(join(dir, ".ao-state")), false, "the log dir is not created");
    assert.equal(existsSync(join(dir, ".gaffer")), false, ".gaffer/ is not created");
    assert.deepEqual(treeSnapshot(dir), before);
  });
});
