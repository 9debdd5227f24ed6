import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createSampleRepository } from "../../src/demo/index.ts";
import { readPidFiles } from "../../src/factory/index.ts";
import {
  claimItem,
  findProposal,
  listClaims,
  listEvents,
  listItems,
  listReviews,
  listRuns,
  openStore,
  type Run,
} from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { processesIn } from "../helpers/processes.ts";
import { workerPidOf } from "../helpers/workers.ts";
import { fileItem, scenarioItem } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitForEvent } from "../helpers/wait.ts";

const CONFIG = `
[gate]
max_fix_attempts = 1

[[gate.commands]]
name = "test"
run = "node --test"
timeout = "2m"

[factory]
heartbeat = "500ms"
lease = "5s"
stall_activity = "6s"
restart_backoff = "100ms"
max_review_rounds = 2

[roles.builder]
concurrency = 2
policy = "heal+stall"

[roles.reviewer]
policy = "heal"
`;

const note = (n: number) => `[[attempts]]\nsteps = [{ write = "notes/${n}.md", content = "note ${n}\\n" }]`;

const ITEMS = {
  plain: [1, 2, 3, 4, 5, 6].map((n) => scenarioItem(`write note ${n}`, note(n))),
  reviewed: scenarioItem(
    "write the changelog",
    `[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "# Changes\\n" }]
[[attempts]]
steps = [{ edit = "CHANGELOG.md", old = "# Changes\\n", new = "# Changes\\n\\n- multiply()\\n" }]
[[reviews]]
steps = [{ say = '{"verdict": "request-changes", "summary": "The changelog is empty.", "findings": [{"file": "CHANGELOG.md", "line": 1, "severity": "major", "text": "list the change"}]}' }]
[[reviews]]
steps = [{ say = 'Looks right now. {"verdict": "approve", "summary": "ok"}' }]`,
  ),
  broken: scenarioItem(
    "add a failing test",
    `[[attempts]]\nsteps = [{ write = "test/extra.test.js", content = "import { test } from 'node:test';\\ntest('x', () => { throw new Error('no'); });\\n" }]`,
  ),
  killed: scenarioItem(
    "write slowly",
    `[[attempts]]\nsteps = [{ sleep = 2500 }, { write = "slow.md", content = "slow\\n" }]`,
  ),
  stalled: scenarioItem("think forever", `[[attempts]]\nsteps = [{ say = "thinking" }, { stall = true }]`),
};

describe("the factory: gaffer up … gaffer down", () => {
  it("takes ten items to approved proposals or give-ups, heals a killed builder, un-sticks a stall, and leaves no process", async (t) => {
    const dir = await factoryProject(t);
    const ids = {
      plain: [] as number[],
      reviewed: await fileItem(dir, ITEMS.reviewed),
      broken: await fileItem(dir, ITEMS.broken),
      killed: await fileItem(dir, ITEMS.killed),
      stalled: await fileItem(dir, ITEMS.stalled),
    };
    for (const item of ITEMS.plain) ids.plain.push(await fileItem(dir, item));

    const up = await gaffer(["up"], { cwd: dir });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /gaffer is up: 2 roles/);
    const second = await gaffer(["up"], { cwd: dir });
    assert.equal(second.code, 69, "a second supervisor is refused");
    assert.match(second.stderr, /already up for .* \(pid \d+/);

    await killBuilderOnce(dir, ids.killed);
    await until(dir, 150_000, async (db) => {
      const runs = await latestRuns(db);
      for (const item of await listItems(db)) {
        const run = runs.get(item.id);
        if (!run) return false;
        if (run.state === "gave-up") continue;
        if (run.state !== "proposed" || (await findProposal(db, run.id))?.review !== "approved") return false;
      }
      return true;
    });

    const down = await gaffer(["down"], { cwd: dir });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /gaffer is down/);
    assert.deepEqual(processesIn(dir), [], "no process is left running in the project");
    assert.deepEqual(
      readPidFiles(join(dir, ".gaffer", "factory", "pids")).filter((f) => f.alive),
      [],
    );

    const db = (await openStore(join(dir, ".gaffer", "gaffer.db"))).db;
    const runs = await latestRuns(db);
    const state = (id: number) => runs.get(id)?.state;
    for (const id of ids.plain) assert.equal(state(id), "proposed", `item #${id}`);
    assert.equal(state(ids.broken), "gave-up");
    assert.ok(existsSync(runs.get(ids.broken)?.reportPath ?? ""), "a give-up leaves a report");
    assert.equal((await listClaims(db)).length, 0, "no claim outlives the factory");

    // One review round-trip: changes requested, the builder's next attempt, then approval.
    const reviewed = runs.get(ids.reviewed) as Run;
    assert.equal(reviewed.state, "proposed");
    const reviews = await listReviews(db, reviewed.id);
    assert.deepEqual(
      reviews.map((r) => r.verdict),
      ["request-changes", "approve"],
    );
    assert.equal(reviews[0]?.findings[0]?.file, "CHANGELOG.md");
    const brief = readFileSync(
      join(dir, ".gaffer", "runs", String(reviewed.id), "attempt-2-brief.md"),
      "utf8",
    );
    assert.match(brief, /A reviewer asked for changes[\s\S]*\[major\] CHANGELOG\.md:1: list the change/);
    assert.equal((await findProposal(db, reviewed.id))?.review, "approved");
    const shown = (await gaffer(["show", String(reviewed.id)], { cwd: dir })).stdout;
    assert.match(
      shown,
      /round 1 by reviewer: changes requested — The changelog is empty\.\n +\[major\] CHANGELOG\.md:1: list the change\n +round 2 by reviewer: approved — ok/,
    );

    // The SIGKILLed builder was healed and its item resumed to a proposal in the same run.
    const killed = runs.get(ids.killed) as Run;
    assert.equal(killed.state, "proposed");
    const killedEvents = (await listEvents(db, { runId: killed.id })).map((e) => e.type);
    assert.ok(
      killedEvents.includes("run.interrupted") && killedEvents.includes("run.resumed"),
      killedEvents.join(),
    );
    const factoryEvents = (await listEvents(db, {})).filter((e) => e.runId === null);
    assert.ok(factoryEvents.some((e) => e.type === "role.healing" && e.data.item === ids.killed));

    // The stalled agent was nudged, restarted, and finally given up with a report.
    const stalled = runs.get(ids.stalled) as Run;
    assert.equal(stalled.state, "gave-up");
    assert.match(stalled.reason ?? "", /^stall: no agent activity/);
    const stallEvents = factoryEvents.filter(
      (e) => e.type.startsWith("stall.") && dataOf(e).item === ids.stalled,
    );
    assert.deepEqual(
      stallEvents.map((e) => e.type),
      ["stall.nudged", "stall.restarted", "stall.gave-up"],
    );
    const stalledEvents = (await listEvents(db, { runId: stalled.id })).map((e) => e.type);
    assert.ok(stalledEvents.includes("agent.nudged"));
  });

  it("pause holds new work back until resume", async (t) => {
    const dir = await factoryProject(t);
    const paused = await gaffer(["pause"], { cwd: dir });
    assert.equal(paused.code, 0);
    await fileItem(dir, ITEMS.plain[0] as { title: string; body: string });
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    const held = await waitForEvent(dir, "supervisor.paused");
    assert.equal(dataOf(held).held, 1, "the paused supervisor says it holds the ready item back");
    const db = (await openStore(join(dir, ".gaffer", "gaffer.db"))).db;
    assert.equal((await listRuns(db)).length, 0, "nothing starts while paused");
    assert.equal((await gaffer(["resume"], { cwd: dir })).code, 0);
    await until(dir, 60_000, async (store) => (await listRuns(store))[0]?.state === "proposed");
  });

  it("retries a run the machine failed within its budget; a run the agent failed stays failed", async (t) => {
    const dir = await factoryProject(t, "", "infra_retries = 1\n");
    // Exit code 137 is how a shell or bubblewrap reports an agent the system SIGKILLed.
    const killed = await fileItem(
      dir,
      scenarioItem("lose the agent", `[[attempts]]\nsteps = [{ crash = 137, message = "killed" }]`),
    );
    const crashed = await fileItem(
      dir,
      scenarioItem("crash the agent", `[[attempts]]\nsteps = [{ crash = 3 }]`),
    );
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    const causes = async (db: Db, itemId: number) =>
      (await listEvents(db, { itemId })).filter((e) => e.type === "run.failed").map((e) => e.data.cause);
    await until(dir, 120_000, async (db) => {
      const held = (await listEvents(db, { itemId: crashed })).some((e) => e.type === "item.held");
      return held && (await causes(db, killed)).length === 2;
    });
    assert.equal((await gaffer(["down"], { cwd: dir })).code, 0);

    const db = (await openStore(join(dir, ".gaffer", "gaffer.db"))).db;
    assert.deepEqual(await causes(db, killed), ["infrastructure", "infrastructure"]);
    const runs = await listRuns(db, { itemId: killed });
    assert.equal(runs.length, 1, "the retry resumed the failed run");
    const retries = (await listEvents(db, { itemId: killed })).filter((e) => e.type === "item.retrying");
    assert.deepEqual(
      retries.map((e) => [e.runId, e.data.retry, e.data.of]),
      [[runs[0]?.id, 1, 1]],
    );
    assert.deepEqual(await causes(db, crashed), ["agent"]);
    assert.ok(!(await listEvents(db, { itemId: crashed })).some((e) => e.type === "item.retrying"));
    assert.equal((await listRuns(db, { itemId: crashed }))[0]?.state, "failed");
  });

  it("keeps a persistent role and a service running, feeds the role what it is told, runs a task once, and stops them", async (t) => {
    const dir = await factoryProject(
      t,
      `[roles.orchestrator]\nkind = "persistent"\npolicy = "heal"\n\n[roles.janitor]\nkind = "service"\ncommand = "sleep 600"\n\n[roles.gardener]\nkind = "task"\n`,
      'tmux = true\nsession_prefix = "gaffer-test-tmux-"\n',
    );
    mkdirSync(join(dir, "prompts"));
    writeFileSync(
      join(dir, "prompts", "gardener.md"),
      'Tidy the garden.\n\n```scenario\n[[attempts]]\nsteps = [{ write = "GARDEN.md", content = "tidy" }]\n```\n',
    );
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    const message =
      'Write the plan.\n\n```scenario\n[[attempts]]\nsteps = [{ write = "PLAN.md", content = "plan" }]\n```\n';
    const told = await gaffer(["tell", "orchestrator", message], { cwd: dir });
    assert.equal(told.code, 0, told.stderr);
    const toldId = Number(/^told orchestrator: item #(\d+)$/m.exec(told.stdout)?.[1]);
    assert.ok(toldId > 0, told.stdout);
    await until(dir, 60_000, async (db) => (await listRuns(db, { itemId: toldId }))[0]?.state === "proposed");
    const db = (await openStore(join(dir, ".gaffer", "gaffer.db"))).db;
    assert.equal(
      (await listRuns(db, { itemId: toldId }))[0]?.role,
      "orchestrator",
      "the persistent role took it, not a builder",
    );
    const status = await gaffer(["status"], { cwd: dir });
    assert.match(status.stdout, /^orchestrator +persistent +scripted +- +heal +RUNNING$/m);
    assert.match(status.stdout, /^janitor +service +- +- +- +RUNNING$/m);
    // The task ran once, on an item of its own made from its prompt.
    await until(dir, 60_000, async (store) => {
      const items = await listItems(store, { label: "role:gardener" });
      return (
        items.length === 1 && (await listRuns(store, { itemId: items[0]?.id ?? 0 }))[0]?.state === "proposed"
      );
    });
    // The persistent role's work shows in its tmux session, to attach to.
    const pane = spawnSync("tmux", ["capture-pane", "-p", "-t", "=gaffer-test-tmux-orchestrator:"], {
      encoding: "utf8",
    });
    assert.equal(pane.status, 0, pane.stderr);
    assert.match(pane.stdout, /run \d+ \S+ run\.proposed/);
    const unknown = await gaffer(["tell", "nobody", "hi"], { cwd: dir });
    assert.equal(unknown.code, 65);
    assert.match(
      unknown.stderr,
      /no role "nobody" .* — the roles are: builder, reviewer, orchestrator, janitor, gardener/,
    );
    assert.equal((await gaffer(["down"], { cwd: dir })).code, 0);
    assert.deepEqual(processesIn(dir), []);
    assert.notEqual(spawnSync("tmux", ["has-session", "-t", "=gaffer-test-tmux-orchestrator"]).status, 0);
  });

  it("moves on to the next phase when the reviewer approves the builder's claim on the current one", async (t) => {
    const dir = await factoryProject(
      t,
      `[[phases]]\nid = "api"\nplan = "plans/api.md"\n\n[[phases]]\nid = "ui"\nplan = "plans/ui.md"\n`,
    );
    const claim = ITEMS.plain[1] as { title: string; body: string };
    const filed = await gaffer(["issue", "add", claim.title, "--body", claim.body, "--label", "phase:api"], {
      cwd: dir,
    });
    assert.equal(filed.code, 0, filed.stderr);
    assert.equal((await gaffer(["up"], { cwd: dir })).code, 0);
    await until(dir, 60_000, async (db) => {
      const run = (await listRuns(db, { itemId: 1 }))[0];
      const approved = run !== undefined && (await findProposal(db, run.id))?.review === "approved";
      return approved && existsSync(join(dir, ".gaffer", "factory", "phase-idx"));
    });
    await gaffer(["down"], { cwd: dir });
    const phase = await gaffer(["phase", "show", "--json"], { cwd: dir });
    assert.equal(JSON.parse(phase.stdout).current.id, "ui", phase.stdout);
  });

  it("refuses `gaffer run` on an item the factory holds", async (t) => {
    const dir = await factoryProject(t);
    const id = await fileItem(dir, ITEMS.plain[0] as { title: string; body: string });
    const store = await openStore(join(dir, ".gaffer", "gaffer.db"));
    try {
      await claimItem(store.db, {
        itemId: id,
        role: "builder",
        duty: "build",
        holder: "elsewhere",
        leaseMs: 60_000,
      });
    } finally {
      await store.close();
    }
    const run = await gaffer(["run", String(id)], { cwd: dir });
    assert.equal(run.code, 64);
    assert.match(run.stderr, /item #1 is being worked by the factory \(role builder\) — see `gaffer status`/);
  });

  it("refuses to start without roles, with a hint", async (t) => {
    const dir = tempDir(t, "gaffer-factory-");
    await createSampleRepository(dir);
    const up = await gaffer(["up"], { cwd: dir });
    assert.equal(up.code, 78);
    assert.match(up.stderr, /no roles, so there is no factory to start — add e\.g\. \[roles\.builder\]/);
  });
});

/** A project with the factory's config; when the test ends, the factory is stopped, then the project removed. */
async function factoryProject(t: TestContext, extra = "", settings = ""): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-factory-")));
  t.after(async () => {
    await gaffer(["down"], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });
  await createSampleRepository(dir);
  writeFileSync(
    join(dir, "gaffer.toml"),
    `${CONFIG.replace("[factory]\n", `[factory]\n${settings}`)}\n${extra}`,
  );
  return dir;
}

type Db = Awaited<ReturnType<typeof openStore>>["db"];

async function latestRuns(db: Db): Promise<Map<number, Run>> {
  const latest = new Map<number, Run>();
  for (const run of await listRuns(db)) latest.set(run.itemId, run);
  return latest;
}

async function until(dir: string, timeoutMs: number, done: (db: Db) => Promise<boolean>): Promise<void> {
  const store = await openStore(join(dir, ".gaffer", "gaffer.db"));
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
      if (await done(store.db)) return;
    }
    const runs = [...(await latestRuns(store.db)).values()].map((r) => `#${r.itemId}:${r.state}`);
    assert.fail(`the factory did not finish in ${timeoutMs} ms: ${runs.join(" ")}`);
  } finally {
    await store.close();
  }
}

/** Waits for the item's builder to be in its agent turn, then SIGKILLs the worker process hosting it. */
async function killBuilderOnce(dir: string, itemId: number): Promise<void> {
  const store = await openStore(join(dir, ".gaffer", "gaffer.db"));
  try {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
      const run = (await listRuns(store.db, { itemId })).at(-1);
      if (run?.state !== "agent") continue;
      const worker = await workerPidOf(store.db, dir, itemId);
      if (worker === undefined) continue;
      process.kill(worker, "SIGKILL");
      return;
    }
    assert.fail(`item #${itemId} never reached its agent turn`);
  } finally {
    await store.close();
  }
}
