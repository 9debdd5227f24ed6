import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem, listAttempts, listGateResults } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { commitAll, gitOut, writeFiles } from "../helpers/git.ts";
import { scenarioItem } from "../helpers/project.ts";

/** The sample project's add() made to subtract: a red build. */
function breakAdd(root: string): string {
  const file = join(root, "src/calc.js");
  writeFileSync(file, readFileSync(file, "utf8").replace("return a + b;", "return a - b;"));
  return commitAll(root, "break add");
}

const FIX_ADD = `[[attempts]]
steps = [{ edit = "src/calc.js", old = "return a - b;\\n}\\n\\nexport function subtract", new = "return a + b;\\n}\\n\\nexport function subtract" }]`;

const TEST_WRITER = (assertion: string) => `[[attempts]]
steps = [{ write = "test/mul.test.js", content = "import assert from 'node:assert/strict';\\nimport { test } from 'node:test';\\ntest('mul', () => ${assertion});\\n" }]`;

describe("engine: how a run is laid out (RunPlan)", () => {
  it("gate first: the gate runs on the base as attempt 0 and its failure is the agent's first brief", async (t) => {
    const project = await inProcessProject(t);
    const base = breakAdd(project.root);
    const item = await addItem(project.store.db, scenarioItem("heal the build", FIX_ADD));
    const result = await startRun(project, item.id, IN_PROCESS, {
      branch: "agent/self-heal",
      gateFirst: true,
      maxFixAttempts: 2,
    });
    assert.equal(result.outcome, "proposed");
    assert.equal(result.run.branch, "agent/self-heal");
    assert.equal(result.run.baseCommit, base);
    const attempts = await listAttempts(project.store.db, result.run.id);
    assert.deepEqual(
      attempts.map((a) => [a.number, a.state]),
      [
        [0, "red"],
        [1, "green"],
      ],
    );
    const brief = readFileSync(join(project.paths.runDir(result.run.id), "attempt-1-brief.md"), "utf8");
    assert.match(brief, /# A CI check just failed\. Fix the CODE so it passes/);
    assert.match(brief, /gate step "test" failed: node --test/);
    assert.equal(gitOut(project.root, "rev-parse", "agent/self-heal^"), base);
  });

  it("gate first on a green base proposes the base itself: there was nothing to fix", async (t) => {
    const project = await inProcessProject(t);
    const base = gitOut(project.root, "rev-parse", "HEAD");
    const item = await addItem(project.store.db, scenarioItem("heal the build", FIX_ADD));
    const result = await startRun(project, item.id, IN_PROCESS, {
      branch: "agent/self-heal",
      gateFirst: true,
    });
    assert.equal(result.outcome, "proposed");
    assert.equal(result.proposal?.headCommit, base);
    assert.deepEqual(result.proposal?.commits, []);
    assert.deepEqual(
      (await listAttempts(project.store.db, result.run.id)).map((a) => [a.number, a.state]),
      [[0, "green"]],
    );
  });

  it("grows from the base it is given, on the branch it is given", async (t) => {
    const project = await inProcessProject(t);
    const main = gitOut(project.root, "rev-parse", "HEAD");
    writeFiles(project.root, { "NOTES.md": "side work\n" });
    const side = commitAll(project.root, "side work");
    gitOut(project.root, "branch", "side", side);
    gitOut(project.root, "reset", "--hard", main);
    const item = await addItem(project.store.db, scenarioItem("mul", TEST_WRITER("assert.ok(true)")));
    const result = await startRun(project, item.id, IN_PROCESS, {
      branch: "tracks/one",
      base: { branch: "side", commit: side },
    });
    assert.equal(result.outcome, "proposed");
    assert.equal(gitOut(project.root, "rev-parse", "tracks/one^"), side);
  });

  it("a red run is met by tests that fail, and proposes them", async (t) => {
    const project = await inProcessProject(t);
    const item = await addItem(
      project.store.db,
      scenarioItem("mul tests", TEST_WRITER("assert.equal(globalThis.mul?.(2, 3), 6)")),
    );
    const result = await startRun(project, item.id, IN_PROCESS, { goal: "red", maxFixAttempts: 0 });
    assert.equal(result.outcome, "proposed");
    const [attempt] = await listAttempts(project.store.db, result.run.id);
    assert.equal(attempt?.state, "green", "the goal was met");
    const [gate] = await listGateResults(project.store.db, result.run.id, 1);
    assert.equal(gate?.exitCode, 1, "because gaffer's run of the tests failed");
  });

  it("a red run whose tests pass has missed its goal, and is told so rather than to fix the code", async (t) => {
    const project = await inProcessProject(t);
    const item = await addItem(project.store.db, scenarioItem("mul tests", TEST_WRITER("assert.ok(true)")));
    const result = await startRun(project, item.id, IN_PROCESS, { goal: "red", maxFixAttempts: 1 });
    assert.equal(result.outcome, "gave-up");
    const attempts = await listAttempts(project.store.db, result.run.id);
    assert.deepEqual(
      attempts.map((a) => a.state),
      ["red", "no-change"],
    );
    assert.match(attempts[0]?.feedback ?? "", /^The tests must fail before the task is implemented/);
    const brief = readFileSync(join(project.paths.runDir(result.run.id), "attempt-2-brief.md"), "utf8");
    assert.match(brief, /# Note from gaffer\nThe tests must fail/);
    assert.doesNotMatch(brief, /Fix the CODE/);
  });
});
