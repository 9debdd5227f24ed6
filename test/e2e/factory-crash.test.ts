import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { isOwnerAlive, projectPaths } from "../../src/engine/index.ts";
import { runningDaemon } from "../../src/factory/ownership.ts";
import { readPidFiles } from "../../src/factory/pid-files.ts";
import {
  ACTIVE_STATES,
  type Db,
  type GafferEvent,
  listClaims,
  listEvents,
  listRuns,
  openStoreReadOnly,
  type Run,
  TERMINAL_STATES,
} from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { assertStoreConsistent } from "../helpers/consistency.ts";
import { commitAll } from "../helpers/git.ts";
import { listProcesses, type ProcessInfo, processesIn } from "../helpers/processes.ts";
import { workerPidOf } from "../helpers/workers.ts";
import { fileItem, scenarioItem } from "../helpers/project.ts";
import { pick, random } from "../helpers/random.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * The factory under random SIGKILLs. Each trial files a couple of items, picks a victim (the
 * supervisor, a worker, or a gate command) and a moment (an event of one item's run) from a seeded
 * generator, kills it there, restarts the factory if its supervisor died, and waits for it to
 * settle. Then the store must show every item proposed exactly once or given up with a report, no
 * run stuck, and no item with two live runs at once; after `gaffer down`, no process is left.
 *
 * GAFFER_CRASH_SEED replays a run (the seed is printed); GAFFER_CRASH_TRIALS runs more trials.
 */
const SEED = Number(process.env.GAFFER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TRIALS = Number(process.env.GAFFER_CRASH_TRIALS ?? 20);

/** The gate's steps, by name: each runs long enough to be killed while it runs. */
const GATE_STEPS = { "warm-up": "sleep 0.2", test: "node --test" };

const CONFIG = `
[gate]
max_fix_attempts = 1
${Object.entries(GATE_STEPS)
  .map(([name, run]) => `\n[[gate.commands]]\nname = "${name}"\nrun = "${run}"\ntimeout = "2m"\n`)
  .join("")}

[factory]
heartbeat = "300ms"
lease = "3s"
restart_backoff = "100ms"
restart_budget = 1000

[roles.builder]
concurrency = 3
policy = "heal"
`;

type Kind = "plain" | "slow" | "broken";
type Victim = "supervisor" | "worker" | "gate";

/**
 * The events every run of a kind shows, in order: the moments a supervisor or a worker can be
 * killed at. (A worker is known from `role.started` on; `claim.taken` just precedes it.)
 */
const COMMON_MOMENTS = [
  "role.started",
  "run.created",
  "workspace.ready",
  "attempt.started",
  "agent.file-write",
  "agent.done",
  "gate.started",
  "gate.step.started",
  "gate.step.finished",
];
const MOMENTS: Record<Kind, string[]> = {
  plain: [...COMMON_MOMENTS, "gate.passed", "proposal.started", "proposal.committed", "run.proposed"],
  slow: [...COMMON_MOMENTS, "gate.passed", "proposal.started", "proposal.committed"],
  broken: [...COMMON_MOMENTS, "gate.failed", "run.gave-up"],
};

function itemOf(kind: Kind, name: string): { title: string; body: string } {
  switch (kind) {
    case "plain":
      return scenarioItem(
        `write ${name}`,
        `[[attempts]]\nsteps = [{ write = "notes/${name}.md", content = "${name}\\n" }]`,
      );
    case "slow":
      return scenarioItem(
        `write ${name} slowly`,
        `[[attempts]]\nsteps = [{ sleep = 1000 }, { write = "notes/${name}.md", content = "${name}\\n" }]`,
      );
    case "broken":
      return scenarioItem(
        `break ${name}`,
        `[[attempts]]\nsteps = [{ write = "test/${name}.test.js", content = "import { test } from 'node:test';\\ntest('${name}', () => { throw new Error('no'); });\\n" }]`,
      );
    default:
      return kind satisfies never;
  }
}

/** When to strike: an event of the target item, of one gate step for `gate.step.started`. */
interface Moment {
  type: string;
  step?: keyof typeof GATE_STEPS;
}

interface Trial {
  number: number;
  items: { id: number; kind: Kind }[];
  victim: Victim;
  target: number;
  moment: Moment;
  /** For a gate: the process gaffer started, or the command it runs inside (the sandbox's, the shell's). */
  depth: "top" | "command";
  /** What happened: whom it killed, or why it killed nothing. */
  outcome: string;
  /** For a worker: how many of the trial's runs the worker it killed was hosting. */
  hosted: number;
}

interface TrialPlan {
  victims: readonly Victim[];
  /** Items filed per trial: from 1 up to this many. */
  minItems: number;
  maxItems: number;
}

describe("e2e: the factory under random SIGKILLs", () => {
  it(`${TRIALS} trials: every item proposed once or given up, no stuck run, one live run per item, no leftover`, async (t) => {
    await crashTrials(t, { victims: ["supervisor", "worker", "gate"], minItems: 1, maxItems: 3 });
  });

  it(`${TRIALS} trials killing a worker process hosting several runs: each resumes and ends once`, async (t) => {
    const trials = await crashTrials(t, { victims: ["worker"], minItems: 2, maxItems: 3 });
    const several = trials.filter((trial) => trial.hosted >= 2).length;
    t.diagnostic(`a worker hosting several of the trial's runs was killed in ${several} trials`);
    assert.ok(several >= TRIALS / 4, `a worker hosting several runs was killed in only ${several} trials`);
  });
});

/**
 * Files each trial's items, kills its victim at its moment, waits for the items to settle and
 * checks them; then stops the factory and checks that nothing was left behind.
 */
async function crashTrials(t: TestContext, plan: TrialPlan): Promise<Trial[]> {
  t.diagnostic(`GAFFER_CRASH_SEED=${SEED} GAFFER_CRASH_TRIALS=${TRIALS}`);
  const next = random(SEED);
  const { dir, env } = await crashProject(t);
  const paths = projectPaths(dir);
  const up = await gaffer(["up"], { cwd: dir, env });
  assert.equal(up.code, 0, up.stderr);
  const store = openStoreReadOnly(paths.database);
  assert.ok(store);
  t.after(() => store.close());
  const db = store.db;
  const trials: Trial[] = [];
  const replay = () => `seed ${SEED}; trials so far:\n${trials.map(describeTrial).join("\n")}`;

  for (let number = 1; number <= TRIALS; number++) {
    const items: Trial["items"] = [];
    const spread = plan.maxItems - plan.minItems + 1;
    for (let k = 0, count = plan.minItems + Math.floor(next() * spread); k < count; k++) {
      const kind = pick(next, ["plain", "plain", "slow", "broken"] as const);
      items.push({ id: await fileItem(dir, itemOf(kind, `t${number}-${k}`)), kind });
    }
    const target = pick(next, items);
    const victim = pick(next, plan.victims);
    const moment: Moment =
      victim === "gate"
        ? { type: "gate.step.started", step: pick(next, ["warm-up", "test"] as const) }
        : {
            type: pick(next, [...(victim === "supervisor" ? ["claim.taken"] : []), ...MOMENTS[target.kind]]),
          };
    const depth = pick(next, ["top", "command"] as const);
    const trial: Trial = { number, items, victim, target: target.id, moment, depth, outcome: "", hosted: 0 };
    trials.push(trial);
    trial.outcome = await strike(db, dir, env, trial);
    await settle(db, dir, items, replay);
    await assertSettled(db, dir, items, replay());
  }

  const down = await gaffer(["down"], { cwd: dir, env });
  assert.equal(down.code, 0, down.stderr);
  for (const trial of trials) t.diagnostic(describeTrial(trial));
  assert.deepEqual(processesIn(dir), [], `no process is left running in the project; ${replay()}`);
  assert.deepEqual(
    readPidFiles(join(paths.stateDir, "factory", "pids")).filter((f) => f.alive),
    [],
  );
  assert.equal(runningDaemon(paths.stateDir), undefined);
  assert.deepEqual(await listClaims(db), [], "no claim outlives the factory");
  assert.deepEqual(
    readdirSync(env.TMPDIR).filter((name) => name.startsWith("gaffer-sandbox-")),
    [],
    "no sandbox runtime directory is left behind",
  );
  const all = trials.flatMap((trial) => trial.items);
  await assertSettled(db, dir, all, replay());
  assertStoreConsistent(paths.database);
  return trials;
}

/** A sample project with the factory's config, its gaffer processes using a private TMPDIR. */
async function crashProject(t: TestContext): Promise<{ dir: string; env: { TMPDIR: string } }> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-crash-")));
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-crash-tmp-")));
  t.after(async () => {
    await gaffer(["down"], { cwd: dir, env: { TMPDIR: tmp } });
    for (const path of [dir, tmp]) rmSync(path, { recursive: true, force: true });
  });
  await createSampleRepository(dir);
  writeFileSync(join(dir, "gaffer.toml"), CONFIG);
  // A test that takes a moment, so the gate's `node --test` can be killed while it runs.
  writeFileSync(
    join(dir, "test", "pause.test.js"),
    'import { test } from "node:test";\ntest("pause", () => new Promise((done) => setTimeout(done, 300)));\n',
  );
  commitAll(dir, "a test that takes a moment");
  return { dir, env: { TMPDIR: tmp } };
}

/** Waits for the trial's moment, then kills its victim; returns what it did. */
async function strike(db: Db, dir: string, env: NodeJS.ProcessEnv, trial: Trial): Promise<string> {
  const seen = await waitForMoment(db, trial.target, trial.moment);
  if (!seen) return "the item ended before that: nothing killed";
  const paths = projectPaths(dir);
  switch (trial.victim) {
    case "supervisor": {
      const daemon = runningDaemon(paths.stateDir);
      if (!daemon) return "no supervisor to kill";
      process.kill(daemon.pid, "SIGKILL");
      await waitFor(() => !isOwnerAlive(daemon.owner), "the killed supervisor to be gone");
      const up = await gaffer(["up"], { cwd: dir, env });
      assert.equal(up.code, 0, `gaffer up after the supervisor was killed: ${up.stderr}`);
      return `killed supervisor ${daemon.pid}`;
    }
    case "worker": {
      const worker = await workerPidOf(db, dir, trial.target);
      if (!worker) return "no worker at work";
      trial.hosted = await hostedBy(db, dir, trial.items, worker);
      process.kill(worker, "SIGKILL");
      return `killed worker ${worker} hosting ${trial.hosted} of the trial's runs`;
    }
    case "gate": {
      const gate = await gateProcessOf(db, dir, trial);
      if (!gate) return "its gate step had already finished";
      process.kill(gate.pid, "SIGKILL");
      return `killed gate process ${gate.pid} (${gate.command.split(" -- ").at(-1)})`;
    }
    default:
      return trial.victim satisfies never;
  }
}

/** True once the item's store shows the moment's event; false if the item settled first. */
async function waitForMoment(db: Db, itemId: number, moment: Moment): Promise<boolean> {
  let seen = false;
  await waitFor(async () => {
    const events = await listEvents(db, { itemId });
    seen = events.some((e) => e.type === moment.type && (!moment.step || dataOf(e).name === moment.step));
    return seen || (await isSettled(db, itemId));
  }, `${moment.type} on item #${itemId}`);
  return seen;
}

/** How many of the items a worker process hosts now: claimed, and last started in that worker. */
async function hostedBy(db: Db, dir: string, items: Trial["items"], worker: number): Promise<number> {
  const claimed = new Set((await listClaims(db)).map((claim) => claim.itemId));
  let hosted = 0;
  for (const item of items)
    if (claimed.has(item.id) && (await workerPidOf(db, dir, item.id)) === worker) hosted++;
  return hosted;
}

/**
 * The gate step the target's worker runs now: the process it started in the run's gate checkout,
 * or, deeper, the step's own command inside it (below the sandbox and the shell, if any).
 */
async function gateProcessOf(db: Db, dir: string, trial: Trial): Promise<ProcessInfo | undefined> {
  const run = (await listRuns(db, { itemId: trial.target })).at(-1);
  const worker = await workerPidOf(db, dir, trial.target);
  if (!run || worker === undefined) return undefined;
  const gateDir = projectPaths(dir).gate(run.id);
  const processes = listProcesses();
  const top = processes.find(
    (p) => p.ppid === worker && (p.cwd === gateDir || p.cwd.startsWith(`${gateDir}/`)),
  );
  if (!top || trial.depth === "top") return top;
  const below = [top];
  for (const parent of below) below.push(...processes.filter((p) => p.ppid === parent.pid));
  const command = GATE_STEPS[trial.moment.step ?? "test"];
  return below.findLast((p) => p.command === command || p.command.endsWith(`-c ${command}`)) ?? top;
}

async function isSettled(db: Db, itemId: number): Promise<boolean> {
  const run = (await listRuns(db, { itemId })).at(-1);
  if (!run || !["proposed", "gave-up"].includes(run.state)) return false;
  return !(await listClaims(db)).some((claim) => claim.itemId === itemId);
}

/** Waits until every item of the trial is proposed or given up and nobody holds a claim. */
async function settle(db: Db, dir: string, items: Trial["items"], replay: () => string): Promise<void> {
  try {
    await waitFor(
      async () => {
        for (const item of items) if (!(await isSettled(db, item.id))) return false;
        return true;
      },
      "the factory to settle",
      90_000,
    );
  } catch (error) {
    const runs = (await listRuns(db)).map((r) => `#${r.itemId}/run ${r.id}: ${r.state}`).join(", ");
    assert.fail(`${(error as Error).message}: ${runs}; ${replay()}; log: ${dir}/.gaffer/factory/logs`);
  }
}

/**
 * The invariants: each item's one run is proposed (exactly one run.proposed) or given up with its
 * report; no run is active without a live owner or a claim; no item ever had two live runs at once.
 */
async function assertSettled(db: Db, dir: string, items: Trial["items"], context: string): Promise<void> {
  const claims = await listClaims(db);
  for (const { id, kind } of items) {
    const runs = await listRuns(db, { itemId: id });
    const events = await listEvents(db, { itemId: id });
    const where = `item #${id} (${kind}); ${context}`;
    const latest = runs.at(-1) as Run;
    assert.equal(runs.length, 1, `one run, resumed after every kill: ${where}`);
    const proposals = events.filter((e) => e.type === "run.proposed").length;
    if (kind === "broken") {
      assert.equal(latest.state, "gave-up", where);
      assert.ok(latest.reportPath && existsSync(latest.reportPath), `a give-up leaves its report: ${where}`);
      assert.equal(proposals, 0, where);
    } else {
      assert.equal(latest.state, "proposed", where);
      assert.equal(proposals, 1, `proposed exactly once: ${where}`);
    }
    for (const run of runs) {
      const stuck =
        !TERMINAL_STATES.includes(run.state) &&
        !(run.owner && isOwnerAlive(run.owner)) &&
        !claims.some((claim) => claim.itemId === id);
      assert.ok(!stuck, `run ${run.id} is stuck in ${run.state}: ${where}`);
    }
    assertOneLiveRunAtATime(events, where);
  }
  assertStoreConsistent(projectPaths(dir).database);
}

/**
 * A run is live from its creation or resumption until its state leaves the active states; two
 * runs of one item must never be live at once. Event ids order every process's writes.
 */
function assertOneLiveRunAtATime(events: GafferEvent[], where: string): void {
  const spans: { runId: number; from: number; to: number }[] = [];
  const open = new Map<number, number>();
  for (const event of events) {
    if (event.runId === null) continue;
    const state = event.type === "run.created" ? "preparing" : (dataOf(event).state as string | undefined);
    if (state === undefined) continue;
    const live = ACTIVE_STATES.includes(state as Run["state"]);
    const since = open.get(event.runId);
    if (live && since === undefined) open.set(event.runId, event.id);
    if (!live && since !== undefined) {
      spans.push({ runId: event.runId, from: since, to: event.id });
      open.delete(event.runId);
    }
  }
  for (const [runId, from] of open) spans.push({ runId, from, to: Number.POSITIVE_INFINITY });
  for (const a of spans)
    for (const b of spans)
      if (a.runId !== b.runId && a.from < b.from && b.from < a.to)
        assert.fail(`runs ${a.runId} and ${b.runId} were live at once (events ${b.from}…${a.to}): ${where}`);
}

function describeTrial(trial: Trial): string {
  const items = trial.items.map((i) => `#${i.id} ${i.kind}`).join(", ");
  const moment = trial.moment.step ? `${trial.moment.type} ${trial.moment.step}` : trial.moment.type;
  const victim = trial.victim === "gate" ? `gate (${trial.depth})` : trial.victim;
  return `trial ${trial.number}: ${items}; ${victim} of #${trial.target} at ${moment}: ${trial.outcome}`;
}
