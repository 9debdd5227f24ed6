import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, loadFactory } from "../../src/config/index.ts";
import { openProject } from "../../src/engine/index.ts";
import { advancePhase, findPhase, phaseIndexFile, readPhaseState } from "../../src/factory/phase.ts";
import { listEvents } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { ccCiProject } from "./cc-ci.ts";

const GAFFER_PHASES = `[roles.builder]
[[phases]]
id = "one"
plan = "one.md"
[[phases]]
id = "two"
plan = "two.md"
models = "big-model"
`;

describe("phases", () => {
  it("keeps an agents.toml factory's index in the engine's own <log_dir>/state/phase-idx, 0-based", async (t) => {
    const dir = ccCiProject(t);
    const file = join(dir, ".ao-state", "state", "phase-idx");
    const show = JSON.parse((await gaffer(["phase", "show", "--json"], { cwd: dir })).stdout);
    assert.equal(show.file, file);
    assert.equal(show.index, 18);
    assert.deepEqual(show.current, {
      id: "poe2e",
      plan: "plan-phase-poe2e-end-to-end.md",
      number: 19,
      count: 19,
      state: "in progress",
    });
    assert.deepEqual(
      show.phases.map((p: { state: string }) => p.state),
      [...Array(18).fill("done"), "in progress"],
    );
    const set = await gaffer(["phase", "set", "dstamp"], { cwd: dir });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      set.stdout,
      "poe2e → dstamp\nphase: dstamp [12/19] plan=plan-phase-dstamp-date-stamps.md (in progress)\n",
    );
    assert.equal(readFileSync(file, "utf8"), "11\n");
    assert.equal((await gaffer(["phase", "set", "3"], { cwd: dir })).code, 0, "by number as status shows it");
    assert.equal(readFileSync(file, "utf8"), "2\n");
  });

  it("keeps a gaffer.toml factory's index in .gaffer/factory/phase-idx, starting at the first phase", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": GAFFER_PHASES });
    const factory = loadFactory(dir, loadConfig(dir));
    const stateDir = join(dir, ".gaffer");
    assert.equal(phaseIndexFile(factory, stateDir), join(dir, ".gaffer", "factory", "phase-idx"));
    assert.equal(readPhaseState(factory, stateDir)?.phase.id, "one");
    assert.match(
      (await gaffer(["phase", "show"], { cwd: dir })).stdout,
      /^phase: one \[1\/2\] plan=one\.md \(in progress\)\n/,
    );
    assert.equal((await gaffer(["phase", "advance"], { cwd: dir })).code, 0);
    assert.equal(readFileSync(join(dir, ".gaffer", "factory", "phase-idx"), "utf8"), "1\n");
    assert.match(
      (await gaffer(["status"], { cwd: dir })).stdout,
      /^phase: two \[2\/2\] plan=two\.md \(in progress\)\nbuilder loop scripted big-model none stopped\n/,
    );
  });

  it("advances from the last phase to done, then refuses to go past it", async (t) => {
    const dir = ccCiProject(t);
    const done = await gaffer(["phase", "advance"], { cwd: dir });
    assert.equal(
      done.stdout,
      "poe2e → poe2e (done)\nphase: poe2e [19/19] plan=plan-phase-poe2e-end-to-end.md (done)\n",
    );
    assert.equal(readFileSync(join(dir, ".ao-state", "state", "phase-idx"), "utf8"), "19\n");
    const refused = await gaffer(["phase", "advance"], { cwd: dir });
    assert.equal(refused.code, 64);
    assert.equal(
      refused.stderr,
      "gaffer: every phase is done: poe2e is the last of 19, there is no phase after it — add a [[phases]] entry, or `gaffer phase set <id>` to work on a phase again\n",
    );
    assert.equal(readFileSync(join(dir, ".ao-state", "state", "phase-idx"), "utf8"), "19\n");
  });

  it("advances only from the expected phase, and records every change as an event", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": GAFFER_PHASES });
    const wrong = await gaffer(["phase", "advance", "--from", "two"], { cwd: dir });
    assert.equal(wrong.code, 64);
    assert.match(wrong.stderr, /^gaffer: phase two is not the current phase \(one is\)/);
    const project = await openProject(dir);
    try {
      const context = {
        factory: loadFactory(dir, loadConfig(dir)),
        stateDir: project.paths.stateDir,
        db: project.store.db,
      };
      const change = await advancePhase(context, { expected: "one" });
      assert.deepEqual([change.from.phase.id, change.to.phase.id, change.to.done], ["one", "two", false]);
      await assert.rejects(advancePhase(context, { expected: "one" }), { code: "run-state" });
      const events = await listEvents(project.store.db, {});
      assert.deepEqual(
        events.filter((e) => e.type.startsWith("phase.")).map((e) => [e.type, e.data]),
        [["phase.advanced", { from: "one", fromDone: false, to: "two", index: 1, done: false }]],
      );
    } finally {
      await project.close();
    }
  });

  it("finds phases by id before number, and says which ones exist", (t) => {
    const dir = gitRepo(t, {
      "gaffer.toml": `[roles.b]\n[[phases]]\nid = "x"\nplan = "x.md"\n[[phases]]\nid = "1"\nplan = "y.md"\n`,
    });
    const factory = loadFactory(dir, loadConfig(dir));
    assert.equal(findPhase(factory, "1"), 1, "an id that looks like a number wins");
    assert.equal(findPhase(factory, "2"), 1);
    assert.equal(findPhase(factory, "x"), 0);
    assert.throws(() => findPhase(factory, "3"), {
      code: "usage",
      message: 'no phase "3"',
      hint: "give a phase id (x, 1) or a number from 1 to 2",
    });
  });

  it("rejects a corrupt or out-of-range index on one line, naming the file", async (t) => {
    const dir = ccCiProject(t, "25\n");
    const result = await gaffer(["status"], { cwd: dir });
    assert.equal(result.code, 78);
    assert.match(
      result.stderr,
      /^gaffer: \S*\.ao-state\/state\/phase-idx: "25" is not a phase index: 19 phases are configured/,
    );
    assert.equal(result.stderr.split("\n").length, 2);
    writeFileSync(join(dir, ".ao-state", "state", "phase-idx"), "poe2e\n");
    assert.equal((await gaffer(["phase", "show"], { cwd: dir })).code, 78);
    assert.equal(
      (await gaffer(["phase", "set", "poe2e"], { cwd: dir })).code,
      78,
      "set reads the index first",
    );
  });

  it("says so when no phases are configured", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": "[roles.builder]\n" });
    assert.equal(
      (await gaffer(["phase", "show"], { cwd: dir })).stdout,
      "no phases configured: add [[phases]] to gaffer.toml\n",
    );
    const advance = await gaffer(["phase", "advance"], { cwd: dir });
    assert.equal(advance.code, 78);
    assert.equal(advance.stderr, "gaffer: no phases are configured — add [[phases]] to gaffer.toml\n");
  });
});
