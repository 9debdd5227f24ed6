import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkRefs } from "../../../src/guard/integrity/refs.ts";
import { git, gitOut } from "../../helpers/git.ts";
import {
  agentCommit,
  type IntegrityFixture,
  integrityFixture,
  RUN_BRANCH,
  recordedWork,
  rules,
} from "./fixture.ts";

async function check(fx: IntegrityFixture) {
  return checkRefs(fx.ws, await recordedWork(fx), {
    baseline: fx.baseline,
    branch: RUN_BRANCH,
    baseCommit: fx.baseCommit,
  });
}

describe("guard/integrity/refs", () => {
  it("finds nothing when only the run branch moved", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/math.js": "export const add = (a, b) => b + a;\n" });
    agentCommit(fx.dir, { "src/sub.js": "export const sub = (a, b) => a - b;\n" });
    assert.deepEqual(await check(fx), []);
  });

  it("finds a new branch and a new tag", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "branch", "side");
    git(fx.dir, "tag", "v1");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["ref-created", "ref-created"]);
    assert.deepEqual(findings.map((f) => f.evidence.ref).sort(), ["refs/heads/side", "refs/tags/v1"]);
    assert.ok(findings.every((f) => f.check === "refs" && f.severity === "block"));
  });

  it("finds a deleted ref", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "update-ref", "-d", "refs/heads/main");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["ref-deleted"]);
    assert.deepEqual(findings[0]?.evidence, { ref: "refs/heads/main", was: fx.baseCommit });
  });

  it("finds main moved in the clone", async (t) => {
    const fx = await integrityFixture(t);
    const work = agentCommit(fx.dir, { "src/math.js": "// moved\n" });
    git(fx.dir, "update-ref", "refs/heads/main", work);
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["ref-moved"]);
    assert.deepEqual(findings[0]?.evidence, { ref: "refs/heads/main", was: fx.baseCommit, now: work });
  });

  it("finds a detached HEAD", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "switch", "--quiet", "--detach");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["head-detached"]);
    assert.equal(findings[0]?.evidence.at, fx.baseCommit);
  });

  it("finds HEAD switched to another branch", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "switch", "--quiet", "main");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["head-switched"]);
    assert.equal(findings[0]?.evidence.head, "refs/heads/main");
  });

  it("finds a run branch that no longer descends from the base", async (t) => {
    const fx = await integrityFixture(t);
    const tree = gitOut(fx.dir, "rev-parse", "HEAD^{tree}");
    const orphan = gitOut(fx.dir, "commit-tree", tree, "-m", "unrelated");
    git(fx.dir, "update-ref", `refs/heads/${RUN_BRANCH}`, orphan);
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["branch-not-descendant"]);
    assert.equal(findings[0]?.evidence.tip, orphan);
  });

  it("finds a deleted run branch", async (t) => {
    const fx = await integrityFixture(t);
    git(fx.dir, "switch", "--quiet", "--detach");
    git(fx.dir, "branch", "--quiet", "-D", RUN_BRANCH);
    assert.deepEqual(rules(await check(fx)), ["branch-missing", "head-detached"]);
  });
});
