import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { type Project, resumeRun, startRun } from "../../src/engine/index.ts";
import type { GafferError } from "../../src/errors.ts";
import { addItem, listAttempts, listEvents, listGateResults, listRuns } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";

/**
 * A gate whose first step is SIGKILLed from outside the first `kills` times it runs: it kills
 * itself, as the OOM killer would, counting in a directory the gate's sandbox may write.
 */
async function machineKillingGate(t: TestContext, kills: number): Promise<Project> {
  const counter = tempDir(t, "gaffer-kills-");
  const file = join(counter, "kills");
  writeFileSync(file, "0\n");
  const killer = `if [ "$(cat ${file})" -lt ${kills} ]; then echo $(($(cat ${file}) + 1)) > ${file}; kill -9 $$; fi`;
  return inProcessProject(
    t,
    `
[sandbox]
write = ["${counter}"]

[[gate.commands]]
name = "machine"
run = '${killer}'
`,
  );
}

async function noteItem(project: Project): Promise<number> {
  const item = scenarioItem(
    "write a note",
    `[[attempts]]\nsteps = [{ write = "notes/a.md", content = "a\\n" }]`,
  );
  return (await addItem(project.store.db, item)).id;
}

describe("engine: a gate killed from outside", () => {
  it("interrupts the run without charging the attempt, and a resume runs the same gate again", async (t) => {
    const project = await machineKillingGate(t, 1);
    const itemId = await noteItem(project);
    const first = await startRun(project, itemId, IN_PROCESS);
    assert.equal(first.outcome, "interrupted");
    assert.equal(first.run.state, "interrupted");
    assert.match(
      first.run.reason ?? "",
      /gate step "machine" was killed by SIGKILL, which gaffer did not send/,
    );
    const db = project.store.db;
    const killed = (await listEvents(db, { runId: first.run.id })).filter((e) => e.type === "gate.killed");
    assert.deepEqual(
      killed.map((e) => [e.data.attempt, e.data.name, e.data.kills]),
      [[1, "machine", 1]],
    );
    assert.deepEqual(await listGateResults(db, first.run.id), [], "a killed gate is no evidence");
    assert.equal((await listAttempts(db, first.run.id))[0]?.state, "gating", "attempt 1 is not red");

    const resumed = await resumeRun(project, itemId, IN_PROCESS);
    assert.equal(resumed.outcome, "proposed");
    const attempts = await listAttempts(db, first.run.id);
    assert.deepEqual(
      attempts.map((a) => [a.number, a.state]),
      [[1, "green"]],
    );
    assert.ok((await listGateResults(db, first.run.id, 1)).every((r) => r.exitCode === 0));
  });

  it("fails the run once the same attempt's gate was killed three times", async (t) => {
    const project = await machineKillingGate(t, 99);
    const itemId = await noteItem(project);
    assert.equal((await startRun(project, itemId, IN_PROCESS)).outcome, "interrupted");
    assert.equal((await resumeRun(project, itemId, IN_PROCESS)).outcome, "interrupted");
    await assert.rejects(resumeRun(project, itemId, IN_PROCESS), (error: GafferError) => {
      assert.equal(error.code, "gate-unavailable");
      assert.match(error.message, /killed by SIGKILL, which gaffer did not send, 3 times on attempt 1/);
      return true;
    });
    const [run] = await listRuns(project.store.db, { itemId });
    assert.equal(run?.state, "failed");
    assert.equal((await listAttempts(project.store.db, run.id)).length, 1, "no attempt was charged");
  });

  it("keeps a gate that gaffer itself timed out a red gate", async (t) => {
    const project = await inProcessProject(
      t,
      `
[[gate.commands]]
name = "slow"
run = "sleep 30"
timeout = "300ms"
`,
    );
    const itemId = await noteItem(project);
    const result = await startRun(project, itemId, IN_PROCESS);
    assert.equal(result.outcome, "gave-up");
    const db = project.store.db;
    assert.equal((await listAttempts(db, result.run.id))[0]?.state, "red");
    const events = await listEvents(db, { runId: result.run.id });
    assert.equal(
      events.some((e) => e.type === "gate.killed"),
      false,
    );
  });
});
