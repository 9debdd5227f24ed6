import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem, findProposal, listEvents, listRuns } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

/** A GitHub token in its real shape; the gate stays green, so only the secret scan can stop the run. */
const WRITE_TOKEN = `[[attempts]]
steps = [{ write = "src/gh.js", content = "export const auth = 'ghp_Zq8Rk2Lm5Nx7Pv3Wt9Yb4Hc6Jd1Gf0Ks8Qa2';\\n" }]`;

describe("engine: secrets in a proposal", () => {
  it("blocks the proposal by default, naming the place", async (t) => {
    const project = await inProcessProject(t);
    const item = await addItem(project.store.db, scenarioItem("use a token", WRITE_TOKEN));
    await assert.rejects(startRun(project, item.id, IN_PROCESS), {
      code: "integrity",
      message:
        /blocked by gaffer's verification: src\/gh\.js:1 \(uncommitted; gaffer would commit it\) holds a GitHub token$/,
    });
    const [run] = await listRuns(project.store.db, { itemId: item.id });
    assert.equal(run?.state, "failed");
    assert.equal(await findProposal(project.store.db, run?.id ?? 0), undefined);
    const events = await listEvents(project.store.db, { runId: run?.id ?? 0 });
    const finding = events.find((e) => e.type === "integrity.finding" && e.data.check === "secrets");
    assert.equal((finding && dataOf(finding))?.severity, "block");
  });

  it('lets it through with the finding attached when [guard] secrets = "flag"', async (t) => {
    const project = await inProcessProject(t, '\n[guard]\nsecrets = "flag"\n');
    const item = await addItem(project.store.db, scenarioItem("use a token", WRITE_TOKEN));
    const result = await startRun(project, item.id, IN_PROCESS);
    assert.equal(result.run.state, "proposed");
    assert.deepEqual(
      result.proposal?.findings.map((f) => [f.check, f.rule, f.severity]),
      [["secrets", "token-format", "flag"]],
    );
  });

  it("shows no secret in the other checks' findings, which quote what the agent wrote", async (t) => {
    const project = await inProcessProject(t, '\n[guard]\nallow_paths = ["src/**"]\n');
    const name = `notes/ghp_${"Zq8Rk2Lm5Nx7Pv3Wt9Yb4Hc6Jd1Gf0Ks8Qa2"}.md`;
    const scenario = `[[attempts]]\nsteps = [{ write = "${name}", content = "notes\\n" }]`;
    const item = await addItem(project.store.db, scenarioItem("take notes", scenario));
    await assert.rejects(startRun(project, item.id, IN_PROCESS), { code: "integrity" });
    const [run] = await listRuns(project.store.db, { itemId: item.id });
    const findings = (await listEvents(project.store.db, { runId: run?.id ?? 0 })).filter(
      (e) => e.type === "integrity.finding",
    );
    assert.deepEqual(findings.map((e) => [e.data.check, e.data.message]).sort(), [
      ["paths", "notes/[redacted].md is outside the allowed paths"],
      [
        "secrets",
        "the file name notes/[redacted].md (uncommitted; gaffer would commit it) holds a GitHub token",
      ],
    ]);
    assert.ok(!JSON.stringify(findings).includes(name), "no finding shows the token");
    assert.ok(!(run?.reason ?? "").includes(name), "nor does the run's reason");
  });
});
