import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  addItem,
  claimItem,
  type Db,
  expireClaims,
  listClaims,
  listEvents,
  openStore,
  releaseClaim,
  renewClaim,
  transferClaim,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createTestRun } from "../helpers/store.ts";

const T0 = Date.UTC(2025, 0, 1);
const LEASE = 10_000;

async function storeWithItems(t: TestContext, count = 2): Promise<{ db: Db; items: number[] }> {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  const items: number[] = [];
  for (let n = 1; n <= count; n++) items.push((await addItem(store.db, { title: `item ${n}` })).id);
  return { db: store.db, items };
}

/** The item's claim events (all events carry no run here), as [type, data]. */
async function claimEvents(db: Db): Promise<[string, Record<string, unknown>][]> {
  return (await listEvents(db, {}))
    .filter((e) => e.type.startsWith("claim."))
    .map((e) => [e.type, { item: e.itemId, run: e.runId, at: e.at, ...e.data }]);
}

const claim = (itemId: number, holder: string, extra: { runId?: number } = {}) => ({
  itemId,
  role: "builder",
  duty: "build" as const,
  holder,
  leaseMs: LEASE,
  ...extra,
});

describe("store/claims", () => {
  it("claims an unclaimed item once, with a lease and an event", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    assert.equal(await claimItem(db, claim(item, "sup-1"), T0), true);
    assert.equal(await claimItem(db, claim(item, "sup-2"), T0 + LEASE - 1), false);
    assert.deepEqual(await listClaims(db), [
      {
        itemId: item,
        role: "builder",
        duty: "build",
        runId: null,
        holder: "sup-1",
        heartbeatAt: T0,
        expiresAt: T0 + LEASE,
      },
    ]);
    assert.deepEqual(await claimEvents(db), [
      ["claim.taken", { item, run: null, at: T0, role: "builder", duty: "build", holder: "sup-1" }],
    ]);
  });

  it("takes over a lapsed claim in one step, naming the holder it lapsed from", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    await claimItem(db, claim(item, "sup-1"), T0);
    // The lease ends exactly at expiresAt.
    assert.equal(await claimItem(db, claim(item, "sup-2"), T0 + LEASE), true);
    const [current] = await listClaims(db);
    assert.equal(current?.holder, "sup-2");
    assert.equal(current?.expiresAt, T0 + 2 * LEASE);
    const taken = (await claimEvents(db)).filter(([type]) => type === "claim.taken");
    assert.equal(taken.length, 2);
    assert.equal(taken[1]?.[1].lapsed, "sup-1");
    assert.equal(taken[0]?.[1].lapsed, undefined);
    // The old holder has lost it: its heartbeat fails and its release changes nothing.
    assert.equal(await renewClaim(db, item, "sup-1", LEASE, T0 + LEASE + 1), false);
    await releaseClaim(db, item, "sup-1", "done", T0 + LEASE + 2);
    assert.equal((await listClaims(db))[0]?.holder, "sup-2");
  });

  it("records the run a review claim is for", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    const run = await createTestRun(db, item, { branch: "gaffer/1" });
    assert.equal(
      await claimItem(
        db,
        { ...claim(item, "sup-1", { runId: run.id }), role: "reviewer", duty: "review" },
        T0,
      ),
      true,
    );
    assert.deepEqual(
      (await listClaims(db)).map((c) => [c.duty, c.runId, c.role]),
      [["review", run.id, "reviewer"]],
    );
    const [event] = (await listEvents(db, { runId: run.id })).filter((e) => e.type === "claim.taken");
    assert.deepEqual(event?.data, { role: "reviewer", duty: "review", holder: "sup-1" });
  });

  it("renews only for its holder, moving the heartbeat and the expiry", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    await claimItem(db, claim(item, "sup-1"), T0);
    assert.equal(await renewClaim(db, item, "sup-2", LEASE, T0 + 100), false);
    assert.equal(await renewClaim(db, item, "sup-1", LEASE, T0 + 5000), true);
    const [renewed] = await listClaims(db);
    assert.equal(renewed?.heartbeatAt, T0 + 5000);
    assert.equal(renewed?.expiresAt, T0 + 5000 + LEASE);
    // Past the old expiry, the renewed claim still holds.
    assert.equal(await claimItem(db, claim(item, "sup-2"), T0 + LEASE + 1), false);
    assert.equal(await renewClaim(db, items[1] as number, "sup-1", LEASE, T0), false, "no claim to renew");
  });

  it("hands a claim over to the worker that holds it from then on", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    await claimItem(db, claim(item, "supervisor"), T0);
    assert.equal(await transferClaim(db, item, "someone-else", "worker-1"), false);
    assert.equal((await listClaims(db))[0]?.holder, "supervisor");
    assert.equal(await transferClaim(db, item, "supervisor", "worker-1"), true);
    assert.equal((await listClaims(db))[0]?.holder, "worker-1");
    assert.equal(await renewClaim(db, item, "supervisor", LEASE, T0 + 1), false);
    assert.equal(await renewClaim(db, item, "worker-1", LEASE, T0 + 1), true);
  });

  it("releases only its holder's claim, with the reason", async (t) => {
    const { db, items } = await storeWithItems(t);
    const [item] = items as [number];
    await claimItem(db, claim(item, "sup-1"), T0);
    await releaseClaim(db, item, "sup-2", "not mine", T0 + 1);
    assert.equal((await listClaims(db)).length, 1);
    await releaseClaim(db, item, "sup-1", "work ended", T0 + 2);
    assert.deepEqual(await listClaims(db), []);
    await releaseClaim(db, item, "sup-1", "twice", T0 + 3);
    assert.deepEqual(
      (await claimEvents(db)).filter(([type]) => type === "claim.released"),
      [["claim.released", { item, run: null, at: T0 + 2, holder: "sup-1", reason: "work ended" }]],
    );
    assert.equal(await claimItem(db, claim(item, "sup-2"), T0 + 4), true, "a released item is free at once");
  });

  it("expires every lapsed claim with an event each, and leaves live ones", async (t) => {
    const { db, items } = await storeWithItems(t, 3);
    const [a, b, c] = items as [number, number, number];
    const run = await createTestRun(db, b, { branch: "gaffer/2" });
    await claimItem(db, claim(a, "sup"), T0);
    await claimItem(db, claim(b, "sup", { runId: run.id }), T0 + 1000);
    await claimItem(db, claim(c, "sup"), T0 + 5000);
    assert.deepEqual(await expireClaims(db, T0 + LEASE - 1), []);
    const lapsed = await expireClaims(db, T0 + LEASE + 1000);
    assert.deepEqual(
      lapsed.map((x) => [x.itemId, x.runId]),
      [
        [a, null],
        [b, run.id],
      ],
    );
    assert.deepEqual(
      (await listClaims(db)).map((x) => x.itemId),
      [c],
    );
    const expired = (await listEvents(db, {})).filter((e) => e.type === "claim.expired");
    assert.deepEqual(
      expired.map((e) => [e.itemId, e.runId, e.data.holder, e.data.heartbeatAt]),
      [
        [a, null, "sup", T0],
        [b, run.id, "sup", T0 + 1000],
      ],
    );
    assert.deepEqual(await expireClaims(db, T0 + LEASE + 1000), [], "nothing lapses twice");
  });

  it("refuses a claim on an item that does not exist", async (t) => {
    const { db } = await storeWithItems(t, 0);
    await assert.rejects(claimItem(db, claim(999, "sup"), T0));
    assert.deepEqual(await listClaims(db), []);
    assert.deepEqual(await claimEvents(db), []);
  });
});
