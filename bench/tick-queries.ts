import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readActivity, readBacklog } from "../src/factory/index.ts";
import {
  addItem,
  claimItem,
  createRun,
  type Db,
  EVENTS,
  expireClaims,
  moveRun,
  openStore,
  recordProposal,
  setItemState,
} from "../src/store/index.ts";
import { percentile } from "./stats.ts";

export interface TickQueriesCase {
  /** Builds at work, each with a claim and a run. */
  children: number;
  /** Events per run, written interleaved as concurrent agents stream them (one per chunk). */
  eventsPerRun: number;
  /** Closed items of the project's past, each with a proposed run. */
  closedItems: number;
}

/**
 * The store reads the supervisor makes each tick (every 500 ms), timed on a store shaped like a
 * busy project: the lapsed-claims check, the stall clock of every build at work (its latest run,
 * its latest event, its latest progress event), and the backlog (read while below capacity).
 * The event volume of a real agent (an event per streamed chunk) and a long history are what the
 * 50-agent run above, with its few scripted events, does not have.
 */
export async function measureTickQueries(scratch: string, cases: TickQueriesCase[]) {
  const results = [];
  for (const shape of cases) {
    const dir = mkdtempSync(join(scratch, "tick-"));
    const store = await openStore(join(dir, "gaffer.db"));
    try {
      const children = await fill(store.db, shape);
      const time = async (work: () => Promise<unknown>) => {
        const samples: number[] = [];
        for (let i = 0; i < 7; i++) {
          const started = performance.now();
          await work();
          samples.push(performance.now() - started);
        }
        return percentile(samples, 50);
      };
      const expireMs = await time(() => expireClaims(store.db));
      const stallClocks = async () => {
        for (const child of children) await readActivity(store.db, child);
      };
      const stallClocksMs = await time(stallClocks);
      const backlogMs = await time(() => readBacklog(store.db));
      results.push({
        ...shape,
        expireMs,
        stallClocksMs,
        backlogMs,
      });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** Writes the case's history, builds and events; returns the items being built. */
export async function fill(db: Db, shape: TickQueriesCase): Promise<number[]> {
  const newRun = (trx: Db, itemId: number, n: number) =>
    createRun(trx, {
      itemId,
      agent: "scripted",
      branch: `gaffer/${itemId}-${n}`,
      baseBranch: "main",
      baseCommit: "0".repeat(40),
      workspace: "",
      maxFixAttempts: 1,
      owner: "bench",
      sandbox: "off",
    });
  const building: { item: number; run: number }[] = [];
  await db.transaction().execute(async (trx) => {
    for (let n = 0; n < shape.closedItems; n++) {
      const item = await addItem(trx, { title: `done ${n}`, body: "a finished item\n".repeat(40) });
      const run = await newRun(trx, item.id, n);
      await recordProposal(trx, {
        runId: run.id,
        itemId: item.id,
        branch: run.branch,
        baseCommit: run.baseCommit,
        headCommit: "a".repeat(40),
        commits: [],
        diffStat: "",
        evidence: [],
        findings: [],
        sandbox: "off",
      });
      await moveRun(trx, run.id, "startProposal", { data: { attempt: 0 } });
      await moveRun(trx, run.id, "propose", {
        data: { branch: run.branch, head: "a".repeat(40), commits: 0 },
      });
      await setItemState(trx, item.id, "closed");
    }
    for (let n = 0; n < shape.children; n++) {
      const item = await addItem(trx, { title: `building ${n}`, body: "an item at work\n".repeat(40) });
      const run = await newRun(trx, item.id, n);
      await claimItem(trx, {
        itemId: item.id,
        role: "builder",
        duty: "build",
        holder: `bench/${n}`,
        leaseMs: 3_600_000,
      });
      building.push({ item: item.id, run: run.id });
    }
    const data = JSON.stringify({ attempt: 1, kind: "message", text: "a chunk of what the agent is saying" });
    for (let e = 0; e < shape.eventsPerRun; e++) {
      for (const { item, run } of building) {
        const type = e === 0 ? EVENTS.workspaceReady.name : EVENTS.agentMessage.name;
        await trx
          .insertInto("events")
          .values({ run_id: run, item_id: item, type, at: Date.now(), data })
          .execute();
      }
    }
  });
  return building.map((b) => b.item);
}
