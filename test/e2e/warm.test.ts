import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SAMPLE_CONFIG } from "../../src/demo/sample.ts";
import { projectPaths } from "../../src/engine/index.ts";
import { EVENTS, eventsOfKind, listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";

const NOTE = (n: number) =>
  scenarioItem(`note ${n}`, `[[attempts]]\nsteps = [{ write = "NOTE-${n}.md", content = "${n}" }]\n`);

describe("e2e: warm workspaces", () => {
  it("`gaffer warm` fills the pool; two runs at once each take their own warm clone, and leave the pool full", async (t) => {
    const dir = await sampleProject(t, `${SAMPLE_CONFIG}\n[workspace]\nwarm = 2\n`);
    const filled = await gaffer(["warm", "--json"], { cwd: dir });
    assert.equal(filled.code, 0, filled.stderr);
    assert.deepEqual(
      (({ size, ready, made, busy }) => ({ size, ready, made, busy }))(JSON.parse(filled.stdout)),
      { size: 2, ready: 2, made: 2, busy: false },
    );
    const again = await gaffer(["warm"], { cwd: dir });
    assert.match(again.stdout, /^warm pool: 2 of 2 ready at [0-9a-f]{12} \(0 made\)$/m);

    const items = [await fileItem(dir, NOTE(1)), await fileItem(dir, NOTE(2))];
    const runs = await Promise.all(items.map((item) => gaffer(["run", String(item)], { cwd: dir })));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);

    const paths = projectPaths(dir);
    const store = openStoreReadOnly(paths.database);
    assert.ok(store);
    try {
      const made = await Promise.all(
        items.map(async (itemId) => {
          const [run] = await listRuns(store.db, { itemId });
          assert.ok(run);
          const [created] = eventsOfKind(
            await listEvents(store.db, { runId: run.id }),
            EVENTS.workspaceCreated,
          );
          return { warm: created?.data.warm, gitDir: statSync(join(run.workspace, ".git")).ino };
        }),
      );
      assert.deepEqual(
        made.map((m) => m.warm),
        [true, true],
      );
      assert.notEqual(made[0]?.gitDir, made[1]?.gitDir, "the two runs have different clones");
    } finally {
      await store.close();
    }
    const pool = readdirSync(paths.warm);
    assert.equal(pool.filter((name) => name.startsWith("ready-")).length, 2, pool.join(", "));
    assert.deepEqual(
      pool.filter((name) => !name.startsWith("ready-")),
      [],
      "nothing half-made, claimed or locked is left once both runs are done",
    );
  });
});
