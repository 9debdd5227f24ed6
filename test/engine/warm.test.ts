import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Project, refillWarmPool, startRun } from "../../src/engine/index.ts";
import { addItem, EVENTS, eventsOfKind, listEvents } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { commitAll, gitOut, writeFiles } from "../helpers/git.ts";
import { scenarioItem } from "../helpers/project.ts";

const WRITE_NOTE = `[[attempts]]
steps = [{ write = "NOTE.md", content = "noted\\n" }]`;

async function runOnce(project: Project, title: string) {
  const item = await addItem(project.store.db, scenarioItem(title, WRITE_NOTE));
  const result = await startRun(project, item.id, IN_PROCESS);
  assert.equal(result.outcome, "proposed");
  // The last one: a warm clone found changed is given up for another workspace.
  const created = eventsOfKind(
    await listEvents(project.store.db, { runId: result.run.id }),
    EVENTS.workspaceCreated,
  ).at(-1);
  assert.ok(created);
  return { run: result.run, warm: created.data.warm === true };
}

function ready(project: Project): string[] {
  return readdirSync(project.paths.warm).filter((name) => name.startsWith("ready-"));
}

describe("engine: warm workspaces ([workspace] warm)", () => {
  it("a run takes a warm clone and the pool is made up for; a moved base is never served from the old clones", async (t) => {
    const project = await inProcessProject(t, "\n[workspace]\nwarm = 2\n");
    const first = await runOnce(project, "first");
    assert.equal(first.warm, false, "the pool starts empty");
    assert.equal(ready(project).length, 2, "the first run filled it while its agent worked");

    const second = await runOnce(project, "second");
    assert.equal(second.warm, true, "the second run took a warm clone");
    assert.equal(ready(project).length, 2, "and made up for it");
    const branch = gitOut(project.paths.workspace(second.run.id), "symbolic-ref", "--short", "HEAD");
    assert.equal(branch, second.run.branch);

    writeFiles(project.root, { "MOVED.md": "the base moved\n" });
    const moved = commitAll(project.root, "the base moves");
    const stale = ready(project);
    const third = await runOnce(project, "third");
    assert.equal(third.run.baseCommit, moved);
    assert.equal(third.warm, false, "clones of the old base are not handed out");
    assert.equal(gitOut(project.paths.workspace(third.run.id), "rev-parse", "HEAD"), moved);
    const now = ready(project);
    assert.equal(now.length, 2);
    assert.ok(
      now.every((name) => !stale.includes(name)),
      "the stale clones were replaced",
    );

    const fourth = await runOnce(project, "fourth");
    assert.equal(fourth.warm, true, "the refreshed pool serves the new base");

    for (const name of ready(project))
      writeFiles(join(project.paths.warm, name, "clone"), { "PLANTED.md": "x\n" });
    const fifth = await runOnce(project, "fifth");
    assert.equal(fifth.warm, false, "changed clones are not used");
    const discarded = eventsOfKind(
      await listEvents(project.store.db, { runId: fifth.run.id }),
      EVENTS.workspaceWarmDiscarded,
    );
    assert.equal(discarded.length, 2);
    assert.match(discarded[0]?.data.reason ?? "", /has changes/);
    assert.ok(!existsSync(join(project.paths.workspace(fifth.run.id), "PLANTED.md")));
  });

  it("with warm = 0 runs clone as before and the pool is emptied by a refill", async (t) => {
    const project = await inProcessProject(t, "\n[workspace]\nwarm = 0\n");
    const run = await runOnce(project, "cold");
    assert.equal(run.warm, false);
    const filled = await refillWarmPool(project);
    assert.deepEqual(
      { ready: filled.ready, made: filled.made, busy: filled.busy },
      { ready: 0, made: 0, busy: false },
    );
  });

  it("a run refused before it exists takes no clone for good: nothing is left half-taken", async (t) => {
    const project = await inProcessProject(t, "\n[workspace]\nwarm = 1\n");
    await refillWarmPool(project);
    assert.equal(ready(project).length, 1);
    const item = await addItem(project.store.db, scenarioItem("broken", "[[attempts]]\nsteps = 7"));
    await assert.rejects(startRun(project, item.id, IN_PROCESS), { code: "invalid-input" });
    assert.deepEqual(
      readdirSync(project.paths.warm).filter((name) => name.startsWith("claimed-")),
      [],
      "the clone taken while the run was being created is removed with it",
    );
    const workspaces = join(project.paths.stateDir, "workspaces");
    assert.ok(!existsSync(workspaces) || readdirSync(workspaces).length === 0);
    const next = await runOnce(project, "next");
    assert.equal(next.run.state, "proposed");
  });

  it("checks a warm clone before its setup steps run, so what they write is not taken for a change", async (t) => {
    const project = await inProcessProject(
      t,
      '\n[workspace]\nwarm = 1\n[[workspace.setup]]\nname = "prepare"\nrun = "touch PREPARED"\n',
    );
    await refillWarmPool(project);
    const warm = await runOnce(project, "warm");
    assert.equal(warm.warm, true);
    const events = await listEvents(project.store.db, { runId: warm.run.id });
    assert.deepEqual(eventsOfKind(events, EVENTS.workspaceWarmDiscarded), []);
    assert.equal(eventsOfKind(events, EVENTS.workspaceCreated).length, 1);
    assert.ok(existsSync(join(project.paths.workspace(warm.run.id), "PREPARED")));
  });
});
