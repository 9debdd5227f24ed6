import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import {
  addItem,
  countItems,
  countRunsByState,
  createRun,
  editItem,
  getItem,
  listEvents,
  listItems,
  listRuns,
  openStore,
  openStoreReadOnly,
  setItemState,
  moveRun,
  type Run,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("store", () => {
  it("creates items with an event each and edits them", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    const first = await addItem(store.db, { title: "Add subtract", labels: ["math"], priority: 2 });
    const second = await addItem(store.db, { title: "Docs", dependsOn: [first.id] });
    assert.deepEqual(second.dependsOn, [first.id]);
    await editItem(store.db, first.id, { title: "Add subtract()", labels: ["math", "api"] });
    await setItemState(store.db, second.id, "closed");
    assert.equal((await getItem(store.db, first.id)).title, "Add subtract()");
    assert.deepEqual(
      (await listItems(store.db)).map((i) => i.id),
      [first.id],
    );
    assert.deepEqual(
      (await listEvents(store.db, {})).map((e) => e.type),
      ["item.created", "item.created", "item.edited", "item.closed"],
    );
  });

  it("rejects a dependency on a missing item and writes nothing", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    await assert.rejects(addItem(store.db, { title: "x", dependsOn: [42] }), { code: "item-not-found" });
    assert.equal((await listItems(store.db, { state: "all" })).length, 0);
    assert.equal((await listEvents(store.db, {})).length, 0);
  });

  it("guards transitions by state and owner inside the write", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    const item = await addItem(store.db, { title: "x" });
    const run = await createRun(store.db, {
      itemId: item.id,
      agent: "scripted",
      branch: "gaffer/1-x",
      baseBranch: "main",
      baseCommit: "abc",
      workspace: "/w",
      maxFixAttempts: 2,
      owner: "me",
      sandbox: "off",
    });
    const ready = { path: "/w", sandbox: "off" };
    await assert.rejects(
      moveRun(store.db, run.id, "workspaceReady", { owner: "someone-else", data: ready }),
      {
        code: "lease-lost",
      },
    );
    await assert.rejects(
      moveRun(store.db, run.id, "propose", { owner: "me", data: { branch: "b", head: "h", commits: 1 } }),
      {
        code: "lease-lost",
      },
    );
    const moved = await moveRun(store.db, run.id, "startAttempt", { owner: "me", data: { attempt: 1 } });
    assert.equal(moved.state, "agent");
    const events = await listEvents(store.db, { runId: run.id });
    assert.deepEqual(
      events.map((e) => [e.type, e.data]),
      [
        ["run.created", { agent: "scripted", branch: "gaffer/1-x", base: "main", baseCommit: "abc" }],
        ["attempt.started", { state: "agent", attempt: 1 }],
      ],
    );
  });

  it("counts and lists what status and issue list show without reading the whole history", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    const open = await addItem(store.db, { title: "open" });
    const parked = await addItem(store.db, { title: "parked" });
    const closed = await addItem(store.db, { title: "closed" });
    await setItemState(store.db, parked.id, "parked");
    await setItemState(store.db, closed.id, "closed");
    assert.equal(await countItems(store.db, "open"), 1);
    assert.deepEqual(
      (await listItems(store.db, { state: ["open", "parked"] })).map((i) => i.id),
      [open.id, parked.id],
    );

    const runs = [];
    for (let n = 0; n < 4; n++) {
      runs.push(
        await createRun(store.db, {
          itemId: open.id,
          agent: "scripted",
          branch: `gaffer/1-${n}`,
          baseBranch: "main",
          baseCommit: "abc",
          workspace: "/w",
          maxFixAttempts: 2,
          owner: "me",
          sandbox: "off",
        }),
      );
    }
    const [first, second] = runs as [Run, Run];
    await moveRun(store.db, first.id, "cancel", { data: { attempt: 0 } });
    await moveRun(store.db, second.id, "cancel", { data: { attempt: 0 } });
    assert.deepEqual(await countRunsByState(store.db), { cancelled: 2, preparing: 2 });
    assert.deepEqual(
      (await listRuns(store.db, { last: 3 })).map((r) => r.id),
      runs.slice(1).map((r) => r.id),
      "the newest three, oldest first",
    );
    assert.deepEqual(
      (await listRuns(store.db, { states: ["cancelled"], last: 1 })).map((r) => r.id),
      [second.id],
    );
  });

  it("opens read-only without creating any file", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "gaffer.db");
    const store = await openStore(path);
    await addItem(store.db, { title: "x" });
    await store.close();
    const before = readdirSync(dir).sort();
    const reader = openStoreReadOnly(path);
    assert.ok(reader);
    assert.equal((await listItems(reader.db)).length, 1);
    await reader.close();
    assert.deepEqual(readdirSync(dir).sort(), before);
    assert.equal(openStoreReadOnly(join(dir, "missing.db")), undefined);
  });

  it("refuses, read-only, a store an older gaffer wrote, and upgrades it when opened for writing", async (t) => {
    const path = join(tempDir(t), "gaffer.db");
    await (await openStore(path)).close();
    const raw = new DatabaseSync(path);
    raw.exec(
      [
        "DROP TABLE claims; DROP TABLE reviews;",
        "ALTER TABLE runs DROP COLUMN role; ALTER TABLE proposals DROP COLUMN review;",
        "ALTER TABLE usage DROP COLUMN role; DROP INDEX events_by_run_type; DROP INDEX items_by_state;",
        "ALTER TABLE attempts DROP COLUMN commit_sha; ALTER TABLE attempts DROP COLUMN tree;",
        "ALTER TABLE proposals DROP COLUMN tree; ALTER TABLE proposals DROP COLUMN environment;",
        "DROP TABLE tracker_items; DROP TABLE tracker_cursors; DROP TABLE tokens;",
        "DROP TABLE model_requests; ALTER TABLE usage DROP COLUMN metered; DROP INDEX events_by_type_at;",
        "DROP TABLE forge_feedback; DROP TABLE forge_pulls;",
        "ALTER TABLE attempts DROP COLUMN feedback_kind; ALTER TABLE runs DROP COLUMN rebase_onto;",
        "DELETE FROM kysely_migration WHERE name IN",
        "('004-factory', '005-evidence', '006-trackers', '007-tokens', '008-model-requests', '009-reactions');",
      ].join(" "),
    );
    raw.close();
    assert.throws(() => openStoreReadOnly(path), { code: "store-outdated", hint: /gaffer upgrade/ });
    await (await openStore(path)).close();
    const reader = openStoreReadOnly(path);
    assert.ok(reader);
    await reader.close();
  });
});
