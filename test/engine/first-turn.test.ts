import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem, listAttempts } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { gitOut } from "../helpers/git.ts";
import { scenarioItem } from "../helpers/project.ts";

const IDLE = "[[attempts]]\nsteps = []";
const EDIT = `[[attempts]]
steps = [{ write = "NOTES.md", content = "notes\\n" }]`;

/** The first attempt's record of the workspace as its turn began, and how the run ended. */
async function firstTurn(extraConfig: string, scenario: string, t: Parameters<typeof inProcessProject>[0]) {
  const project = await inProcessProject(t, extraConfig);
  const item = await addItem(project.store.db, scenarioItem("first turn", scenario));
  const result = await startRun(project, item.id, IN_PROCESS, {});
  const [first] = await listAttempts(project.store.db, result.run.id);
  const base = result.run.baseCommit;
  const baseTree = gitOut(project.root, "rev-parse", `${base}^{tree}`);
  // What recording a workspace that is exactly its base gives: its branch at the base, the base's files.
  const asBase = createHash("sha256").update(`${base}\n${baseTree}`).digest("hex");
  return { result, treeHash: first?.treeHash, asBase };
}

// A new workspace with nothing run in it is its base: the first turn starts from the base without
// recording the workspace. A setup step could change files, so with one the workspace is recorded.
describe("engine: the first turn of a new workspace", () => {
  it("starts from the same record whether the workspace is read or known to be the base", async (t) => {
    const known = await firstTurn("", IDLE, t);
    const read = await firstTurn('\n[[workspace.setup]]\nname = "nothing"\nrun = "true"\n', IDLE, t);
    for (const { result, treeHash, asBase } of [known, read]) {
      assert.equal(treeHash, asBase);
      assert.equal(result.outcome, "gave-up");
      assert.match(result.run.reason ?? "", /^no-change/);
    }
  });

  it("sees the agent's first change against the base", async (t) => {
    const { result } = await firstTurn("", EDIT, t);
    assert.equal(result.outcome, "proposed");
    assert.match(result.proposal?.diffStat ?? "", /NOTES\.md \| 1 \+/);
    assert.equal(result.proposal?.commits.length, 1);
  });

  it("counts what a setup step leaves as the base of the first turn, not as the agent's change", async (t) => {
    const { result } = await firstTurn(
      '\n[[workspace.setup]]\nname = "build"\nrun = "echo built > BUILT.txt"\n',
      IDLE,
      t,
    );
    assert.equal(result.outcome, "gave-up");
    assert.match(result.run.reason ?? "", /^no-change/);
  });
});
