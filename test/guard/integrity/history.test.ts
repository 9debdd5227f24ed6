import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkHistory } from "../../../src/guard/integrity/history.ts";
import { git } from "../../helpers/git.ts";
import {
  agentCommit,
  type IntegrityFixture,
  integrityFixture,
  RUN_BRANCH,
  recordedWork,
  rules,
} from "./fixture.ts";

async function check(fx: IntegrityFixture, observedTips?: string[]) {
  return checkHistory(fx.ws, await recordedWork(fx), {
    branch: RUN_BRANCH,
    baseCommit: fx.baseCommit,
    observedTips,
  });
}

function reflogPath(fx: IntegrityFixture): string {
  return join(fx.dir, ".git", "logs", "refs", "heads", ...RUN_BRANCH.split("/"));
}

describe("guard/integrity/history", () => {
  it("finds nothing when the run only added commits", async (t) => {
    const fx = await integrityFixture(t);
    const first = agentCommit(fx.dir, { "src/a.js": "1\n" });
    agentCommit(fx.dir, { "src/b.js": "2\n" });
    assert.deepEqual(await check(fx, [first]), []);
  });

  it("finds an amended commit", async (t) => {
    const fx = await integrityFixture(t);
    const original = agentCommit(fx.dir, { "src/a.js": "1\n" });
    git(fx.dir, "commit", "--quiet", "--amend", "-m", "reworded");
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["history-rewritten"]);
    assert.equal(findings[0]?.evidence.commit, original);
    assert.match(String(findings[0]?.evidence.how), /amend/);
    assert.equal(findings[0]?.severity, "block");
  });

  it("finds a commit dropped by reset --hard and replaced by a new one", async (t) => {
    const fx = await integrityFixture(t);
    const dropped = agentCommit(fx.dir, { "src/a.js": "1\n" });
    git(fx.dir, "reset", "--quiet", "--hard", "HEAD~1");
    agentCommit(fx.dir, { "src/a.js": "2\n" });
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["history-rewritten"]);
    assert.equal(findings[0]?.evidence.commit, dropped);
  });

  it("finds commits rewritten by a rebase", async (t) => {
    const fx = await integrityFixture(t);
    const first = agentCommit(fx.dir, { "src/a.js": "1\n" });
    const second = agentCommit(fx.dir, { "src/b.js": "2\n" });
    git(fx.dir, "rebase", "--quiet", "--onto", fx.baseCommit, first);
    const findings = await check(fx);
    assert.deepEqual(rules(findings), ["history-rewritten", "history-rewritten"]);
    assert.deepEqual(findings.map((f) => f.evidence.commit).sort(), [first, second].sort());
  });

  it("finds a reflog that was deleted or cut short", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/a.js": "1\n" });
    git(fx.dir, "commit", "--quiet", "--amend", "-m", "hidden");
    const log = readFileSync(reflogPath(fx), "utf8").split("\n");
    writeFileSync(reflogPath(fx), `${log[0]}\n`);
    const cut = await check(fx);
    assert.deepEqual(rules(cut), ["reflog-inconsistent"]);
    assert.equal(cut[0]?.evidence.reason, "does not end at the branch tip");
    rmSync(reflogPath(fx));
    assert.deepEqual(rules(await check(fx)), ["reflog-inconsistent"]);
  });

  it("finds a rewrite hidden by a consistently edited reflog through the tips gaffer observed", async (t) => {
    const fx = await integrityFixture(t);
    const observed = agentCommit(fx.dir, { "src/a.js": "1\n" });
    git(fx.dir, "commit", "--quiet", "--amend", "-m", "hidden");
    const [created = "", , amend = ""] = readFileSync(reflogPath(fx), "utf8").split("\n");
    const forged = amend.replace(observed, fx.baseCommit);
    writeFileSync(reflogPath(fx), `${created}\n${forged}\n`);
    assert.deepEqual(await check(fx), []);
    const findings = await check(fx, [observed]);
    assert.deepEqual(rules(findings), ["history-rewritten"]);
    assert.equal(findings[0]?.evidence.commit, observed);
  });
});
