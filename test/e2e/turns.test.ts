import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { sampleProject } from "../helpers/project.ts";

const CONFIG = `[limits]\nturns = 1\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

describe("[limits] turns", () => {
  it("stops a run that would take more agent turns than allowed, before the turn starts", async (t) => {
    const dir = await sampleProject(t, CONFIG);
    // Item 2 of the sample heals on its second attempt: with one turn allowed, it never gets there.
    const result = await gaffer(["run", "2"], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    try {
      const [run] = await listRuns(store.db, { itemId: 2 });
      assert.equal(run?.state, "failed");
      assert.match(run?.reason ?? "", /took its 1 agent turns \(\[limits\] turns\)/);
      const prompts = (await listEvents(store.db, { runId: run?.id ?? 0 })).filter(
        (e) => e.type === "agent.prompt",
      );
      assert.equal(prompts.length, 1);
    } finally {
      await store.close();
    }
  });
});
