import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, loadFactory } from "../../src/config/index.ts";
import { renderKickoff } from "../../src/factory/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { ccCiProject, golden } from "./cc-ci.ts";

describe("kickoff", () => {
  it("renders cc-ci's builder and adversary kickoffs byte for byte", async (t) => {
    const dir = ccCiProject(t);
    const builder = await gaffer(["kickoff", "builder"], { cwd: dir });
    assert.equal(builder.code, 0, builder.stderr);
    assert.equal(builder.stdout, golden("kickoff-cc-ci-builder.golden.txt"));
    assert.equal(
      (await gaffer(["kickoff", "adversary"], { cwd: dir })).stdout,
      golden("kickoff-cc-ci-adv.golden.txt"),
    );
  });

  it("--write puts kickoff-<session>.txt in the log dir, as the engine did", async (t) => {
    const dir = ccCiProject(t);
    const result = await gaffer(["kickoff", "adversary", "--write"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const file = join(dir, ".ao-state", "kickoff-cc-ci-adv.txt");
    assert.equal(result.stdout, `wrote ${file}\n`);
    assert.equal(readFileSync(file, "utf8"), golden("kickoff-cc-ci-adv.golden.txt"));
  });

  it("fills another phase with --phase, and {status} with --status", async (t) => {
    const dir = ccCiProject(t);
    const dstamp = (await gaffer(["kickoff", "builder", "--phase", "dstamp"], { cwd: dir })).stdout;
    assert.match(
      dstamp,
      /^You are the builder for phase dstamp \(done\) of cc-ci\.\nRead \/srv\/cc-ci\/cc-ci-plan\/plan-phase-dstamp-date-stamps\.md /,
    );
    const resumed = (await gaffer(["kickoff", "builder", "--status", "resumed"], { cwd: dir })).stdout;
    assert.match(resumed, /^You are the builder for phase poe2e \(resumed\)/);
  });

  it("refuses unknown slots on one line with the template's line, and unknown or service roles", async (t) => {
    const dir = ccCiProject(t);
    writeFileSync(join(dir, "prompts", "kickoff.md"), "Phase {phase_id}.\nPlan: {plna}\n");
    const slot = await gaffer(["kickoff", "builder"], { cwd: dir });
    assert.equal(slot.code, 78);
    assert.match(
      slot.stderr,
      /^gaffer: \S*prompts\/kickoff\.md:2: unknown slot \{plna\} in the kickoff template — did you mean \{plan\}\?/,
    );
    const role = await gaffer(["kickoff", "buildr"], { cwd: dir });
    assert.equal(role.code, 64);
    assert.match(role.stderr, /no role "buildr" — did you mean "builder"\?/);
    assert.match((await gaffer(["kickoff", "watchdog"], { cwd: dir })).stderr, /watchdog is a service/);
  });

  it("uses the built-in template without a kickoff file, and the template alone without a role prompt", (t) => {
    const dir = gitRepo(t, {
      "gaffer.toml": `[roles.builder]\n[roles.helper]\n[[phases]]\nid = "one"\nplan = "PLAN.md"\n`,
      "prompts/builder.md": "Build it.\n",
    });
    const factory = loadFactory(dir, loadConfig(dir));
    const [builder, helper] = factory.roles;
    const phase = factory.phases[0];
    assert.ok(builder && helper && phase);
    assert.equal(
      renderKickoff(factory, builder, phase, "in progress"),
      "You are the builder of this project. The current phase is one (in progress); its plan is PLAN.md.\n\nBuild it.\n",
    );
    assert.equal(
      renderKickoff(factory, helper, phase, "done"),
      "You are the helper of this project. The current phase is one (done); its plan is PLAN.md.\n",
    );
  });
});
