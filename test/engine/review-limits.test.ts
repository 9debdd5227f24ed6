import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { reviewProposal } from "../../src/engine/review/review.ts";
import { isGafferError } from "../../src/errors.ts";
import { addItem } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

describe("engine/review: limits", () => {
  it("stops a reviewer that fills its private HOME past the disk budget, and removes its files", async (t) => {
    const project = await inProcessProject(t, '\n[limits]\nworkspace_size = "3MB"\n');
    const scenario = `[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "# Changes\\n" }]
[[reviews]]
steps = [{ run = "head -c 6000000 /dev/zero > $HOME/fill.bin" }, { sleep = 60000 }]`;
    const item = await addItem(project.store.db, scenarioItem("changelog", scenario));
    const built = await startRun(project, item.id, IN_PROCESS);
    assert.equal(built.outcome, "proposed", built.run.reason ?? "");
    await assert.rejects(
      reviewProposal(project, built.run.id, {
        role: { name: "reviewer", instructions: "", continuation: "fresh" },
        agent: "inproc",
        maxRounds: 1,
        ...IN_PROCESS,
      }),
      (error) =>
        isGafferError(error) && error.code === "limit-exceeded" && /workspace grew past/.test(error.message),
    );
    const sandbox = join(project.paths.runDir(built.run.id), "review-1", "sandbox");
    for (const name of ["home", "tmp", "shm", "agent"])
      assert.equal(existsSync(join(sandbox, name)), false, name);
  });
});
