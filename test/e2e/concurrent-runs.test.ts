import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listClaims, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";

const STALLING = scenarioItem(
  "Work that waits to be cancelled",
  `[[attempts]]\nsteps = [{ write = "NOTES.md", content = "started" }, { stall = true }]\n`,
);

describe("e2e: one item, one live run", () => {
  it("refuses a second `gaffer run` of an item while the first one runs, and allows it after", async (t) => {
    const dir = await sampleProject(t);
    const item = await fileItem(dir, STALLING);
    const first = startGaffer(["run", String(item)], { cwd: dir });
    t.after(() => first.kill("SIGKILL"));
    const firstDone = collect(first);
    // Wait for the first run's agent to be at work (its claim is taken before the run is created).
    let progress = "";
    while (!/agent working/.test(progress)) {
      const [chunk] = (await once(first.stderr as NodeJS.ReadableStream, "data")) as [Buffer];
      progress += chunk.toString();
    }

    const second = await gaffer(["run", String(item)], { cwd: dir });
    assert.equal(second.code, 64, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`item #${item} is being run by another \`gaffer run\` \\(pid ${first.pid}\\)`),
    );

    first.kill("SIGINT");
    const cancelled = await firstDone;
    assert.equal(cancelled.code, 130, cancelled.stderr);

    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    try {
      assert.deepEqual(await listClaims(store.db), [], "the cancelled run gave its claim back");
      assert.equal((await listRuns(store.db, { itemId: item })).length, 1, "only the first run was created");
    } finally {
      await store.close();
    }
  });
});
