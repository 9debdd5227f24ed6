import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { discardRun, type Project, startRun } from "../../src/engine/index.ts";
import { addItem } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

const PRIVATE = ["agent", "home", "shm", "tmp"];

function sandboxEntries(project: Project, runId: number): string[] {
  const dir = join(project.paths.runDir(runId), "sandbox");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe("engine: the sandbox's private files", () => {
  it("go when the run ends; the workspace, the guard's log and its git wrapper stay", async (t) => {
    const project = await inProcessProject(t);
    const item = await addItem(
      project.store.db,
      scenarioItem("fix", `[[attempts]]\nsteps = [{ edit = "src/calc.js", old = "a - b", new = "a + b" }]`),
    );
    const { run } = await startRun(project, item.id, IN_PROCESS);
    assert.ok(["proposed", "failed", "gave-up"].includes(run.state), run.state);
    assert.deepEqual(sandboxEntries(project, run.id), ["bin", "guard"]);
    assert.ok(existsSync(run.workspace));
  });

  it("stay while a cancelled run can resume, and go when it is discarded", async (t) => {
    const project = await inProcessProject(t);
    const item = await addItem(
      project.store.db,
      scenarioItem("stall", `[[attempts]]\nsteps = [{ say = "thinking" }, { stall = true }]`),
    );
    const controller = new AbortController();
    const { run } = await startRun(project, item.id, {
      ...IN_PROCESS,
      signal: controller.signal,
      observer: { onNotice: (notice) => notice.type === "agent.message" && controller.abort() },
    });
    assert.equal(run.state, "cancelled");
    for (const name of PRIVATE) assert.ok(sandboxEntries(project, run.id).includes(name), name);
    await discardRun(project, run.id);
    assert.deepEqual(sandboxEntries(project, run.id), ["bin", "guard"]);
  });
});
