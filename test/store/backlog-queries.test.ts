import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  addItem,
  appendEvent,
  claimItem,
  closedItemIds,
  type Db,
  EVENTS,
  expireClaims,
  latestEventAt,
  latestRunsOf,
  listClaims,
  listEvents,
  openStore,
  recordReview,
  type Run,
  setItemState,
  unreviewedProposals,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createTestRun, putRunInState, recordTestProposal, TEST_HEAD } from "../helpers/store.ts";

const T0 = Date.UTC(2025, 0, 1);

async function openTempStore(t: TestContext): Promise<Db> {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  return store.db;
}

async function runOf(db: Db, itemId: number, at = T0): Promise<Run> {
  return createTestRun(db, itemId, { branch: `gaffer/${itemId}-${at}` }, at);
}

async function propose(db: Db, run: Run): Promise<Run> {
  await recordTestProposal(db, run);
  return putRunInState(db, run.id, "proposed");
}

describe("store: the queries the supervisor makes every tick", () => {
  it("closedItemIds: only the closed ones among the ids asked about, in any number", async (t) => {
    const db = await openTempStore(t);
    const ids: number[] = [];
    for (let n = 0; n < 1200; n++) ids.push((await addItem(db, { title: `item ${n}` })).id);
    const closed = [ids[3], ids[700], ids[1100]] as number[];
    for (const id of closed) await setItemState(db, id, "closed");
    assert.deepEqual(
      [...(await closedItemIds(db, ids))].sort((a, b) => a - b),
      closed,
    );
    assert.deepEqual(
      [...(await closedItemIds(db, [ids[3] as number, ids[3] as number, ids[4] as number]))],
      [ids[3]],
    );
    assert.equal((await closedItemIds(db, [])).size, 0);
  });

  it("latestRunsOf: each item's latest run, only for the items asked about", async (t) => {
    const db = await openTempStore(t);
    const [a, b, c, none] = [
      await addItem(db, { title: "a" }),
      await addItem(db, { title: "b" }),
      await addItem(db, { title: "c" }),
      await addItem(db, { title: "no run" }),
    ];
    await runOf(db, a.id, T0);
    const aLatest = await runOf(db, a.id, T0 + 1);
    const bOnly = await runOf(db, b.id, T0 + 2);
    await runOf(db, c.id, T0 + 3);
    const latest = await latestRunsOf(db, [a.id, b.id, none.id]);
    assert.deepEqual(
      [...latest].map(([item, run]) => [item, run.id]).sort((x, y) => (x[0] as number) - (y[0] as number)),
      [
        [a.id, aLatest.id],
        [b.id, bOnly.id],
      ],
    );
    assert.equal(latest.get(a.id)?.state, "preparing");
    assert.equal((await latestRunsOf(db, [])).size, 0);
  });

  it("unreviewedProposals: proposals without a verdict yet, not runs without a proposal", async (t) => {
    const db = await openTempStore(t);
    const item = async (title: string) => (await addItem(db, { title })).id;
    const waiting = await propose(db, await runOf(db, await item("waiting")));
    const judged = await propose(db, await runOf(db, await item("judged")));
    await recordReview(db, judged, {
      round: 1,
      role: "reviewer",
      headCommit: TEST_HEAD,
      verdict: "approve",
      summary: "",
      findings: [],
    });
    const bare = await runOf(db, await item("no proposal"));
    assert.deepEqual([...(await unreviewedProposals(db, [waiting.id, judged.id, bare.id]))], [waiting.id]);
    assert.equal((await unreviewedProposals(db, [])).size, 0);
  });

  it("expireClaims: nothing to do while every lease holds, the lapsed ones once they lapse", async (t) => {
    const db = await openTempStore(t);
    const itemId = (await addItem(db, { title: "x" }, T0)).id;
    await claimItem(db, { itemId, role: "builder", duty: "build", holder: "h", leaseMs: 1000 }, T0);
    assert.deepEqual(await expireClaims(db, T0 + 999), []);
    assert.equal((await listClaims(db)).length, 1);
    assert.deepEqual(
      (await expireClaims(db, T0 + 1000)).map((c) => c.holder),
      ["h"],
    );
    assert.equal((await listClaims(db)).length, 0);
    const expired = (await listEvents(db, {})).filter((e) => e.type === "claim.expired");
    assert.deepEqual(
      expired.map((e) => [e.itemId, e.at]),
      [[itemId, T0 + 1000]],
    );
  });

  it("latestEventAt: the run's last event, or the last of some types, and nothing for a run without", async (t) => {
    const db = await openTempStore(t);
    const itemId = (await addItem(db, { title: "x" }, T0)).id;
    const run = await runOf(db, itemId, T0);
    const other = await runOf(db, itemId, T0 + 1);
    const ready = { state: "preparing", path: "/w", sandbox: "off" } as const;
    const message = { attempt: 1, kind: "message", text: "hi" } as const;
    await appendEvent(db, { runId: run.id }, EVENTS.workspaceReady, ready, T0 + 10);
    await appendEvent(db, { runId: run.id }, EVENTS.agentMessage, message, T0 + 20);
    await appendEvent(db, { runId: run.id }, EVENTS.agentMessage, message, T0 + 30);
    await appendEvent(db, { runId: other.id }, EVENTS.agentMessage, message, T0 + 99);
    assert.equal(await latestEventAt(db, run.id), T0 + 30);
    assert.equal(await latestEventAt(db, run.id, [EVENTS.workspaceReady, EVENTS.agentDone]), T0 + 10);
    assert.equal(await latestEventAt(db, run.id, [EVENTS.gateStepFinished]), undefined);
    assert.equal(await latestEventAt(db, 999), undefined);
  });
});
