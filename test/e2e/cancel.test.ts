import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { waitForEvent } from "../helpers/wait.ts";

const SLOW_GREEN = `
[[attempts]]
steps = [
  { edit = "src/calc.js", old = "export function divide", new = "export function negate(a) {\\n  return -a;\\n}\\n\\nexport function divide" },
  { say = "thinking it over" },
  { sleep = 2500 },
]
`;

describe("e2e: Ctrl-C", () => {
  it("cancels the agent, keeps the workspace, marks the run cancelled, and --resume finishes it", async (t) => {
    const dir = await sampleProject(t);
    const id = await fileItem(dir, scenarioItem("slow", SLOW_GREEN));
    const child = startGaffer(["run", String(id)], { cwd: dir });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const done = collect(child);
    await waitForEvent(dir, "agent.message", (d) => String(d.text).includes("thinking it over"));
    child.kill("SIGINT");
    const result = await done;
    assert.equal(result.code, 130, stderr);
    assert.match(stderr, /cancelled; the workspace is kept/);

    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    const [run] = await listRuns(store.db, { itemId: id });
    await store.close();
    assert.equal(run?.state, "cancelled");
    assert.ok(run && existsSync(run.workspace));
    assert.match(
      readFileSync(join(run.workspace, "src/calc.js"), "utf8"),
      /negate/,
      "the agent's work is kept",
    );

    const resumed = await gaffer(["run", String(id), "--resume"], { cwd: dir });
    assert.equal(resumed.code, 0, `${resumed.stderr}\n${resumed.stdout}`);
    assert.match(resumed.stderr, /resumed \(was cancelled\)/);
    assert.match(resumed.stderr, /attempt 1 \(restarted\)/);
  });

  it("`gaffer cancel <run>` stops a run another process drives, as Ctrl-C there would", async (t) => {
    const dir = await sampleProject(t);
    const id = await fileItem(dir, scenarioItem("slow", SLOW_GREEN));
    const done = collect(startGaffer(["run", String(id)], { cwd: dir }));
    const created = await waitForEvent(dir, "agent.message", (d) =>
      String(d.text).includes("thinking it over"),
    );
    const cancel = await gaffer(["cancel", String(created.runId)], { cwd: dir });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /cancelling run \d+: its agent is stopped and its workspace kept/);
    assert.equal((await done).code, 130);
    const again = await gaffer(["cancel", String(created.runId)], { cwd: dir });
    assert.equal(again.code, 64);
    assert.match(again.stderr, /run \d+ is cancelled, not at work/);
  });
});
