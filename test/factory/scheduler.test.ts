import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { loadConfig, loadFactory, type Role } from "../../src/config/index.ts";
import { buildable, readBacklog, takesItem } from "../../src/factory/scheduler.ts";
import {
  addItem,
  appendEvent,
  claimItem,
  type Db,
  EVENTS,
  type Item,
  type ItemFields,
  openStore,
  recordReview,
  type Run,
  type RunState,
  setItemState,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createTestRun, putRunInState, recordTestProposal, TEST_HEAD } from "../helpers/store.ts";

const T0 = Date.UTC(2025, 0, 1);
const LEASE = 60_000;

async function openTempStore(t: TestContext): Promise<Db> {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  return store.db;
}

async function item(db: Db, title: string, fields: Omit<ItemFields, "title"> = {}, at = T0): Promise<Item> {
  return addItem(db, { title, ...fields }, at);
}

/** A run of the item moved straight to `state` (at `at`); a proposed one gets its proposal. */
async function runIn(db: Db, itemId: number, state: RunState, at = T0): Promise<Run> {
  const run = await createTestRun(db, itemId, {}, at);
  if (state === "preparing") return run;
  if (state === "proposed") await recordTestProposal(db, run);
  return putRunInState(db, run.id, state, at);
}

/** The roles of a factory written as gaffer.toml. */
function roles(t: TestContext, toml: string): Record<string, Role> {
  const dir = tempDir(t);
  writeFileSync(join(dir, "gaffer.toml"), toml);
  return Object.fromEntries(loadFactory(dir, loadConfig(dir)).roles.map((role) => [role.name, role]));
}

const ROLES = `
[roles.builder]

[roles.docs]
labels = ["docs", "readme"]

[roles.planner]
`;

describe("factory/scheduler", () => {
  it("orders the unclaimed backlog by priority, highest first, then by age", async (t) => {
    const db = await openTempStore(t);
    const old = await item(db, "old, normal", {}, T0);
    const urgentNew = await item(db, "new, urgent", { priority: 5 }, T0 + 300);
    const urgentOld = await item(db, "old, urgent", { priority: 5 }, T0 + 200);
    const sameTime = await item(db, "same time as the old one", {}, T0);
    const low = await item(db, "low", { priority: -1 }, T0 - 1000);
    const backlog = await readBacklog(db);
    assert.deepEqual(
      backlog.unclaimed.map((entry) => entry.item.id),
      [urgentOld.id, urgentNew.id, old.id, sameTime.id, low.id],
    );
  });

  it("leaves out closed items, claimed items and items whose dependencies are still open", async (t) => {
    const db = await openTempStore(t);
    const base = await item(db, "base");
    const done = await item(db, "done");
    await setItemState(db, done.id, "closed");
    const waits = await item(db, "waits for base", { dependsOn: [base.id] });
    const ready = await item(db, "ready after done", { dependsOn: [done.id] });
    const both = await item(db, "needs both", { dependsOn: [done.id, base.id] });
    const claimed = await item(db, "claimed");
    await claimItem(db, {
      itemId: claimed.id,
      role: "builder",
      duty: "build",
      holder: "sup",
      leaseMs: LEASE,
    });
    const ids = (await readBacklog(db)).unclaimed.map((entry) => entry.item.id);
    assert.deepEqual(ids, [base.id, ready.id]);
    assert.ok(!ids.includes(waits.id) && !ids.includes(both.id) && !ids.includes(claimed.id));

    await setItemState(db, base.id, "closed");
    assert.deepEqual(
      (await readBacklog(db)).unclaimed.map((entry) => entry.item.id),
      [waits.id, ready.id, both.id],
    );
  });

  it("puts each item's latest run beside it", async (t) => {
    const db = await openTempStore(t);
    const fresh = await item(db, "fresh");
    const tried = await item(db, "tried twice");
    await runIn(db, tried.id, "failed");
    const second = await runIn(db, tried.id, "cancelled");
    const backlog = await readBacklog(db);
    assert.deepEqual(
      backlog.unclaimed.map((entry) => [entry.item.id, entry.latest?.id, entry.latest?.state]),
      [
        [fresh.id, undefined, undefined],
        [tried.id, second.id, "cancelled"],
      ],
    );
  });

  it("says who each failed latest run's failure is down to, and how often the factory retried it", async (t) => {
    const db = await openTempStore(t);
    const [machine, agent, old] = [
      await item(db, "disk full"),
      await item(db, "limit"),
      await item(db, "old"),
    ];
    const failed = async (itemId: number, data: { reason: string; cause?: string }) => {
      const run = await putRunInState(db, (await createTestRun(db, itemId, {}, T0)).id, "failed", T0);
      // Written raw, as an older gaffer did: its events have no cause.
      const event = { state: "failed", report: null, ...data };
      await db
        .insertInto("events")
        .values({ run_id: run.id, item_id: itemId, type: "run.failed", at: T0, data: JSON.stringify(event) })
        .execute();
      return run;
    };
    const full = await failed(machine.id, { reason: "ENOSPC", cause: "infrastructure" });
    const retry = { role: "builder", item: machine.id, run: full.id, retry: 1, of: 2, reason: "ENOSPC" };
    await appendEvent(db, { runId: full.id, itemId: machine.id }, EVENTS.itemRetrying, retry);
    await failed(agent.id, { reason: "limit", cause: "agent" });
    await failed(old.id, { reason: "from before causes were recorded" });
    const backlog = await readBacklog(db);
    assert.deepEqual(
      backlog.unclaimed.map((entry) => [entry.item.id, entry.failure]),
      [
        [machine.id, { cause: "infrastructure", retries: 1 }],
        [agent.id, { cause: "agent", retries: 0 }],
        [old.id, { cause: "agent", retries: 0 }],
      ],
    );
  });

  it("lists unreviewed proposals oldest first, and counts claimed ones for backpressure", async (t) => {
    const db = await openTempStore(t);
    const [a, b, c, d, closed] = [
      await item(db, "a"),
      await item(db, "b"),
      await item(db, "c"),
      await item(db, "d"),
      await item(db, "closed"),
    ];
    const newer = await runIn(db, a.id, "proposed", T0 + 500);
    const older = await runIn(db, b.id, "proposed", T0 + 100);
    const approved = await runIn(db, c.id, "proposed", T0);
    await recordReview(db, approved, {
      round: 1,
      role: "reviewer",
      headCommit: TEST_HEAD,
      verdict: "approve",
      summary: "",
      findings: [],
    });
    const underReview = await runIn(db, d.id, "proposed", T0);
    await claimItem(db, {
      itemId: d.id,
      role: "reviewer",
      duty: "review",
      runId: underReview.id,
      holder: "sup",
      leaseMs: LEASE,
    });
    await runIn(db, closed.id, "proposed", T0);
    await setItemState(db, closed.id, "closed");

    const backlog = await readBacklog(db);
    assert.deepEqual(
      backlog.awaitingReview.map((run) => run.id),
      [older.id, newer.id],
    );
    assert.equal(backlog.pendingReviews, 3, "a, b and the claimed d; not the approved one nor a closed item");
  });

  it("builds an item with no run, or whose latest run can be resumed", async (t) => {
    const db = await openTempStore(t);
    const { builder } = roles(t, ROLES) as { builder: Role };
    const entry = async (state: RunState | undefined) => {
      const made = await item(db, `latest ${state ?? "none"}`);
      return { item: made, latest: state ? await runIn(db, made.id, state) : undefined };
    };
    const verdicts: Record<string, boolean> = {};
    for (const state of [
      undefined,
      "cancelled",
      "interrupted",
      "revising",
      "proposed",
      "gave-up",
      "failed",
      "agent",
    ] as const) {
      verdicts[state ?? "none"] = buildable(await entry(state), builder);
    }
    assert.deepEqual(verdicts, {
      none: true,
      cancelled: true,
      interrupted: true,
      revising: true,
      proposed: false,
      "gave-up": false,
      failed: false,
      agent: false,
    });
    const docsOnly = await item(db, "docs", { labels: ["role:docs"] });
    assert.equal(buildable({ item: docsOnly, latest: undefined }, builder), false, "made for another role");
  });

  it("matches items to roles by their labels and by role:<name> labels", async (t) => {
    const db = await openTempStore(t);
    const { builder, docs, planner } = roles(t, ROLES) as Record<"builder" | "docs" | "planner", Role>;
    const plain = await item(db, "plain");
    const labelled = await item(db, "readme", { labels: ["readme", "small"] });
    const forPlanner = await item(db, "plan it", { labels: ["role:planner"] });
    const forDocs = await item(db, "for docs by name", { labels: ["role:docs"] });
    const take = (role: Role) =>
      [plain, labelled, forPlanner, forDocs]
        .filter((each) => takesItem(role, each))
        .map((each) => each.title);
    assert.deepEqual(
      take(builder),
      ["plain", "readme"],
      "a role without labels takes what no other role was named for",
    );
    assert.deepEqual(
      take(docs),
      ["readme", "for docs by name"],
      "a role with labels takes only those, and its own",
    );
    assert.deepEqual(take(planner), ["plain", "readme", "plan it"]);
  });
});
