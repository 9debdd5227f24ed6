import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { projectPaths } from "../../src/engine/index.ts";
import {
  type Db,
  EVENTS,
  eventsOfKind,
  listEvents,
  listRuns,
  openStoreReadOnly,
  type Run,
} from "../../src/store/index.ts";
import { runningDaemon } from "../../src/factory/ownership.ts";
import { gaffer } from "../helpers/cli.ts";
import { processesIn } from "../helpers/processes.ts";
import { fileItem, scenarioItem } from "../helpers/project.ts";
import { listProcesses, type ProcessInfo } from "../helpers/processes.ts";
import { waitFor } from "../helpers/wait.ts";
import { workerPidOf } from "../helpers/workers.ts";

const CONFIG = `
[[gate.commands]]
name = "test"
run = "node --test"
timeout = "2m"

[factory]
heartbeat = "300ms"
lease = "3s"
restart_backoff = "100ms"
runs_per_worker = 4
worker_nice = 3
agent_nice = 7

[roles.builder]
concurrency = 4
policy = "heal"
`;

const slowNote = (n: number) =>
  scenarioItem(
    `write note ${n} slowly`,
    `[[attempts]]\nsteps = [{ sleep = 1500 }, { write = "notes/${n}.md", content = "note ${n}\\n" }]`,
  );

describe("e2e: a worker process hosting several runs", () => {
  it("keeps its other runs going when one fails for the item's sake or is cancelled", async (t) => {
    const dir = await hostProject(t);
    const plain = [await fileItem(dir, slowNote(1)), await fileItem(dir, slowNote(2))];
    const broken = await fileItem(
      dir,
      scenarioItem("a scenario gaffer cannot read", "[[attempts]]\nsteps = 7"),
    );
    const cancelled = await fileItem(
      dir,
      scenarioItem(
        "wait to be cancelled",
        `[[attempts]]\nsteps = [{ sleep = 4000 }, { write = "c.md", content = "c\\n" }]`,
      ),
    );
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    const db = readStore(t, dir);

    const run = await waitForRun(db, cancelled, (r) => r.state === "agent");
    const worker = await workerPidOf(db, dir, cancelled);
    assert.ok(worker !== undefined);
    const supervisor = runningDaemon(projectPaths(dir).stateDir)?.pid;
    assert.ok(supervisor !== undefined);
    assert.equal(niceness(worker), Math.min(19, niceness(supervisor) + 3), "the worker yields the CPU");
    const group = (pid: number) => /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"))?.[1];
    if (existsSync(`/proc/${worker}/autogroup`)) {
      const base = Number(group(supervisor));
      assert.equal(Number(group(worker)), Math.min(19, base + 3), "so does its session");
      // The agent is the worker's descendant (in its sandbox, when there is one), in a session of its own.
      // The run is at "agent" from its attempt's start, a moment before the agent's process exists.
      const agentOf = () => descendantsOf(worker).find((p) => p.command.includes("agent scripted"));
      await waitFor(() => agentOf() !== undefined, "the agent's process");
      const agent = agentOf() as ProcessInfo;
      assert.equal(Number(group(agent.pid)), Math.min(19, base + 7), "the agent yields to gaffer's own work");
    }
    const cancel = await gaffer(["cancel", String(run.id)], { cwd: dir });
    assert.equal(cancel.code, 0, cancel.stderr);
    await waitFor(
      async () => eventsOf(await listEvents(db, { runId: run.id }), EVENTS.runCancelled.name) > 0,
      `run ${run.id} to be cancelled`,
    );
    for (const itemId of [...plain, cancelled])
      await waitForRun(db, itemId, (r) => r.state === "proposed", 120_000);
    await waitFor(
      async () => eventsOf(await listEvents(db, { itemId: broken }), EVENTS.itemHeld.name) > 0,
      `item #${broken} to be held`,
    );

    const events = await listEvents(db, {});
    const hosts = new Set(eventsOfKind(events, EVENTS.roleStarted).map((e) => e.data.worker));
    assert.deepEqual([...hosts], ["@worker.1"], "every build ran in the one worker");
    assert.equal(await workerPidOf(db, dir, plain[0] as number), worker, "the worker never restarted");
    for (const itemId of plain) {
      const runs = await listRuns(db, { itemId });
      assert.equal(runs.length, 1);
      const types = (await listEvents(db, { runId: runs[0]?.id })).map((e) => e.type);
      assert.ok(!types.includes(EVENTS.runCancelled.name) && !types.includes(EVENTS.runInterrupted.name));
    }
    assert.equal((await listRuns(db, { itemId: cancelled })).length, 1, "the cancelled run was resumed");

    assert.equal((await gaffer(["down"], { cwd: dir })).code, 0);
    assert.deepEqual(processesIn(dir), [], "no worker outlives `gaffer down`");
  });

  it("resumes every run of a killed worker, each once", async (t) => {
    const dir = await hostProject(t);
    const items = [
      await fileItem(dir, slowNote(1)),
      await fileItem(dir, slowNote(2)),
      await fileItem(dir, slowNote(3)),
    ];
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    const db = readStore(t, dir);
    for (const itemId of items) await waitForRun(db, itemId, (r) => r.state === "agent");
    const worker = await workerPidOf(db, dir, items[0] as number);
    assert.ok(worker !== undefined);
    for (const itemId of items)
      assert.equal(await workerPidOf(db, dir, itemId), worker, "one worker hosts them all");
    process.kill(worker, "SIGKILL");

    for (const itemId of items) await waitForRun(db, itemId, (r) => r.state === "proposed", 120_000);
    for (const itemId of items) {
      const runs = await listRuns(db, { itemId });
      assert.equal(runs.length, 1, `item #${itemId} has one run`);
      const types = (await listEvents(db, { runId: runs[0]?.id })).map((e) => e.type);
      assert.equal(
        types.filter((type) => type === EVENTS.runInterrupted.name).length,
        1,
        `run of #${itemId}`,
      );
      assert.equal(types.filter((type) => type === EVENTS.runProposed.name).length, 1, `run of #${itemId}`);
    }
    assert.notEqual(await workerPidOf(db, dir, items[0] as number), worker, "a new worker resumed them");
    assert.equal((await gaffer(["down"], { cwd: dir })).code, 0);
    assert.deepEqual(processesIn(dir), []);
  });
});

async function hostProject(t: TestContext): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-host-")));
  t.after(async () => {
    await gaffer(["down"], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });
  await createSampleRepository(dir);
  writeFileSync(join(dir, "gaffer.toml"), CONFIG);
  return dir;
}

/** The project's store, read-only, closed when the test ends (it exists once the factory is up). */
function readStore(t: TestContext, dir: string): Db {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store, "the store exists once the factory is up");
  t.after(() => store.close());
  return store.db;
}

async function waitForRun(
  db: Db,
  itemId: number,
  done: (run: Run) => boolean,
  timeoutMs?: number,
): Promise<Run> {
  let found: Run | undefined;
  await waitFor(
    async () => {
      const run = (await listRuns(db, { itemId })).at(-1);
      if (run && done(run)) found = run;
      return found !== undefined;
    },
    `item #${itemId}'s run`,
    timeoutMs,
  );
  return found as Run;
}

/** The processes below `pid`. */
function descendantsOf(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
  }
  return all.filter((p) => p.pid !== pid && below.has(p.pid));
}

/** A process's nice value, from /proc. */
function niceness(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

function eventsOf(events: { type: string }[], type: string): number {
  return events.filter((e) => e.type === type).length;
}
