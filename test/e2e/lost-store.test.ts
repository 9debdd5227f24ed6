import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { sampleProject } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";
import { treeSnapshot } from "../helpers/tree.ts";

describe("e2e: a store that lost its last transactions", () => {
  it("never gives a new run the id, and so the workspace, of a run it lost", async (t) => {
    const dir = await sampleProject(t);
    const paths = projectPaths(dir);
    const saved = join(tempDir(t), "gaffer.db");
    // A store as it was before run 1: what is left when the WAL holding run 1 is lost.
    copyFileSync(paths.database, saved);
    assert.ok(!existsSync(`${paths.database}-wal`), "the store is checkpointed between commands");

    const first = await gaffer(["run", "1"], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const kept = treeSnapshot(paths.workspace(1));
    const report = readFileSync(join(paths.runDir(1), "baseline.json"), "utf8");

    copyFileSync(saved, paths.database);
    const second = await gaffer(["run", "1"], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);

    const store = openStoreReadOnly(paths.database);
    assert.ok(store);
    const runs = await listRuns(store.db, { itemId: 1 }).finally(() => store.close());
    assert.deepEqual(
      runs.map((run) => run.id),
      [2],
      "the new run skips the id whose state is on disk",
    );
    assert.equal(runs[0]?.workspace, paths.workspace(2));
    assert.deepEqual(treeSnapshot(paths.workspace(1)), kept, "the lost run's workspace is untouched");
    assert.equal(readFileSync(join(paths.runDir(1), "baseline.json"), "utf8"), report);
  });
});
