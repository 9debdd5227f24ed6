import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { scriptedAgentCommand } from "../../src/cli/commands/run.ts";
import { runDemo } from "../../src/demo/index.ts";
import { openProjectReadOnly } from "../../src/engine/index.ts";
import { findProposal, listAttempts, listEvents, listRuns } from "../../src/store/index.ts";
import { gitOut } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("e2e: gaffer demo", () => {
  it("ends in a proposal at once, a proposal after a red gate, and a give-up with a report", async (t) => {
    const dir = tempDir(t, "gaffer-demo-");
    const demo = await runDemo({ dir, scriptedAgentCommand: scriptedAgentCommand() });
    assert.deepEqual(
      demo.runs.map((r) => r.result.outcome),
      ["proposed", "proposed", "gave-up"],
    );
    const mainTip = gitOut(dir, "rev-parse", "main");
    assert.equal(
      gitOut(dir, "log", "--format=%s", "main"),
      "Calculator library",
      "nothing was merged into main",
    );

    const project = await openProjectReadOnly(dir);
    t.after(() => project.close());
    const db = project.store?.db;
    assert.ok(db);
    const [green, healed, gaveUp] = await listRuns(db);
    assert.ok(green && healed && gaveUp);

    // 1: green at once; the branch is in the project, on top of main, with the change.
    assert.deepEqual(
      (await listAttempts(db, green.id)).map((a) => a.state),
      ["green"],
    );
    const proposal = await findProposal(db, green.id);
    assert.ok(proposal);
    assert.equal(gitOut(dir, "rev-parse", green.branch), proposal.headCommit);
    assert.equal(gitOut(dir, "merge-base", green.branch, "main"), mainTip);
    assert.match(gitOut(dir, "show", `${green.branch}:src/calc.js`), /export function multiply\(a, b\)/);
    assert.equal(proposal.evidence[0]?.exitCode, 0);
    assert.match(proposal.diffStat, /src\/calc\.js/);
    assert.equal(gitOut(dir, "log", "-1", "--format=%an <%ae>", green.branch), "gaffer <gaffer@localhost>");

    // 2: the agent claimed success on attempt 1; the gate said red; attempt 2 healed it.
    const attempts = await listAttempts(db, healed.id);
    assert.deepEqual(
      attempts.map((a) => a.state),
      ["red", "green"],
    );
    const claims = (await listEvents(db, { runId: healed.id })).filter(
      (e) => e.type === "agent.message" && e.data.attempt === 1,
    );
    assert.ok(
      claims.some((e) => String(dataOf(e).text).includes("All tests pass")),
      "the false claim was recorded",
    );
    assert.match(attempts[0]?.feedback ?? "", /average of nothing/);
    assert.match(
      gitOut(dir, "show", `${healed.branch}:src/calc.js`),
      /if \(values\.length === 0\) return 0;/,
    );

    // 3: gave up with a report; no branch was published.
    assert.equal(gaveUp.state, "gave-up");
    assert.equal(await findProposal(db, gaveUp.id), undefined);
    assert.equal(gitOut(dir, "branch", "--list", gaveUp.branch), "");
    assert.ok(gaveUp.reportPath);
    const report = readFileSync(gaveUp.reportPath, "utf8");
    for (const section of [
      "# Failure report",
      "| give-up signal |",
      "## Attempts",
      "## Last failures",
      "## Gate state",
      "## Git state",
      "## Recommendation",
    ]) {
      assert.ok(report.includes(section), `report has ${section}`);
    }
    assert.match(report, /RangeError/);
    assert.match(report, /\| item \| #3 divide by zero/);
  });
});
