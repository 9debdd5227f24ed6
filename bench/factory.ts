import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { projectPaths } from "../src/engine/index.ts";
import {
  addItem,
  type Db,
  type GafferEvent,
  listEvents,
  listRuns,
  openStore,
  type Run,
} from "../src/store/index.ts";
import { git } from "./fixture.ts";
import { runChanges, statusLatencies } from "./latency.ts";
import { allProcesses, descendants, peakRssKb, type ProcStat, processesIn, procStat } from "./proc.ts";
import { percentile, round, summarize } from "./stats.ts";
import { type Poll, pollStatus, readPolls } from "./status-poller.ts";
import { watchRunChanges } from "./watch-frames.ts";

const BIN = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));
const POLLER = fileURLToPath(new URL("./status-poller.ts", import.meta.url));

export interface FactoryBenchOptions {
  /** Items, and so concurrent agents: the builder's concurrency and the factory's max_concurrency. */
  agents: number;
  /** `say` + `sleep` pairs each agent plays before its write. */
  steps: number;
  stepSleepMs: number;
  /** How often processes and the store are sampled. */
  sampleMs: number;
  /** How long the supervisor is watched with nothing left to do, after the last proposal. */
  idleMs: number;
  /** `status --json` invocations on the idle project, for the latency baseline. */
  idleStatusPolls: number;
  /** Give up on a phase after this long. */
  timeoutMs: number;
}

/** One sample of the processes, and how many runs had their agent at work. */
interface Sample {
  at: number;
  /** CPU seconds of the supervisor so far (NaN for the plain runs, whose CPU is counted as they are reaped). */
  cpuS: number;
  rootRssKb: number;
  /** The worker (or `gaffer run`) processes themselves. */
  workers: number;
  workersRssKb: number;
  /** CPU seconds of the workers themselves so far, their agents and commands not included. */
  workersCpuS: number;
  /** Everything below the roots: workers, their agents, sandboxes, gate commands, git. */
  treeRssKb: number;
  agentsWorking: number;
}

/**
 * N scripted agents kept busy at once in one project, supervised by `gaffer up`, against the same N
 * items run as N plain `gaffer run` processes: the supervisor's CPU and memory, how soon
 * `gaffer status --json` shows what the runs do, and the wall time to the last proposal.
 */
export async function measureFactory(scratch: string, options: FactoryBenchOptions) {
  const factoryDir = await createProject(scratch, "factory", options);
  const plainDir = await createProject(scratch, "plain", options);

  process.stderr.write(`status --json on the idle project, ${options.idleStatusPolls} times…\n`);
  const idle: number[] = [];
  for (let i = 0; i < options.idleStatusPolls; i++) {
    const poll = await pollStatus(factoryDir);
    if (!poll.ok) throw new Error("gaffer status --json failed on the idle project");
    idle.push(poll.end - poll.start);
  }
  const idleStatusMs = summarize(idle);
  // The floor under any CLI call: Node's start and gaffer's command table, with no command run.
  const start: number[] = [];
  for (let i = 0; i < options.idleStatusPolls; i++) {
    const started = Date.now();
    await gaffer(["--version"], factoryDir);
    start.push(Date.now() - started);
  }

  process.stderr.write(`gaffer up with ${options.agents} scripted agents…\n`);
  const factory = await factoryPhase(factoryDir, scratch, options);
  process.stderr.write(`the same ${options.agents} items as plain gaffer run processes…\n`);
  const plain = await plainPhase(plainDir, scratch, options);

  const ratio = (a: number, b: number) => (b > 0 ? round2(a / b) : null);
  return {
    agents: options.agents,
    scenario: { steps: options.steps, stepSleepMs: options.stepSleepMs, agentBusyMs: agentBusyMs(options) },
    sampleMs: options.sampleMs,
    factory: factory.result,
    plain: plain.result,
    watchLatency: factory.watchLatency,
    statusLatency: {
      idleStatusMs,
      idleCliStartMs: summarize(start),
      factory: factory.latency,
      plain: plain.latency,
      ratioToIdleStatus: ratio(factory.latency.medianMs, idleStatusMs.median),
      ratioToPlain: ratio(factory.latency.medianMs, plain.latency.medianMs),
    },
    ratios: {
      supervisorCpuToPlainCpu: ratio(factory.result.supervisor.cpuS, plain.result.cpuS),
      factoryCpuToPlainCpu: ratio(factory.result.totalCpuS, plain.result.cpuS),
      supervisorPeakRssToOneRun: ratio(
        factory.result.supervisor.peakRssMb,
        plain.result.perRunPeakRssMb.median,
      ),
      workersPeakRssToPlain: ratio(factory.result.workersPeakRssMb, plain.result.runsPeakRssMb),
      wallToPlain: ratio(factory.result.wallMs, plain.result.wallMs),
    },
  };
}

/** N scripted agents under `gaffer up` alone: that all complete, gaffer's own memory and CPU, the ramp. */
export async function measureFactoryAlone(scratch: string, options: FactoryBenchOptions) {
  const dir = await createProject(scratch, "alone", options);
  process.stderr.write(`gaffer up with ${options.agents} scripted agents…\n`);
  const { result, latency, watchLatency } = await factoryPhase(dir, scratch, options);
  return { agents: options.agents, factory: result, statusLatency: latency, watchLatency };
}

function agentBusyMs(options: FactoryBenchOptions): number {
  return options.steps * options.stepSleepMs;
}

/** `gaffer up`, until every item has a proposal; then the idle supervisor; then `gaffer down`. */
async function factoryPhase(dir: string, scratch: string, options: FactoryBenchOptions) {
  const poller = startPoller(dir, join(scratch, "factory-polls.jsonl"));
  const store = await openStore(projectPaths(dir).database);
  let watch: ReturnType<typeof watchRunChanges> | undefined;
  try {
    const startedAt = Date.now();
    const up = await gaffer(["up", "--json"], dir);
    if (up.code !== 0) throw new Error(`gaffer up failed: ${up.stderr}`);
    const pid = (JSON.parse(up.stdout) as { pid: number }).pid;
    watch = watchRunChanges(dir);
    const first = procStat(pid);
    if (!first) throw new Error(`the supervisor (pid ${pid}) is not running`);

    const seen = new Seen();
    const workerPeaks = new Map<number, number>();
    const workerCpu = new Map<number, number>();
    const samples: Sample[] = [];
    const sample = async (): Promise<Sample> => {
      const all = allProcesses();
      const root = all.get(pid);
      const tree = descendants([pid], all);
      const workers = tree.filter((p) => p.ppid === pid);
      for (const p of tree) seen.add(p);
      for (const w of workers) {
        workerPeaks.set(w.pid, Math.max(workerPeaks.get(w.pid) ?? 0, peakRssKb(w.pid)));
        workerCpu.set(w.pid, w.cpuS);
      }
      const s: Sample = {
        at: Date.now(),
        cpuS: root?.cpuS ?? Number.NaN,
        rootRssKb: root?.rssKb ?? 0,
        workers: workers.length,
        workersRssKb: sum(workers),
        workersCpuS: [...workerCpu.values()].reduce((a, b) => a + b, 0),
        treeRssKb: sum(tree),
        agentsWorking: (await listRuns(store.db, { states: ["agent"] })).length,
      };
      samples.push(s);
      return s;
    };

    const deadline = startedAt + options.timeoutMs;
    for (;;) {
      await sample();
      if (await allProposed(store.db, options.agents)) break;
      if (Date.now() > deadline) throw new Error(`the factory did not finish: ${await states(store.db)}`);
      await sleep(options.sampleMs);
    }
    const done = samples.at(-1) as Sample;
    const atDone = procStat(pid) as ProcStat;

    // The agents exit after their proposal; then the supervisor and its idle workers have nothing left to do.
    const working = () => descendants([pid]).filter((p) => p.ppid !== pid).length > 0;
    while (working() && Date.now() < deadline) await sleep(options.sampleMs);
    const idleFrom = procStat(pid) as ProcStat;
    const idleStart = Date.now();
    await sleep(options.idleMs);
    const idleTo = procStat(pid) as ProcStat;
    // Workers stay up until `gaffer down`: their CPU, and their reaped agents', is read from them.
    const workersAtEnd = descendants([pid]).filter((p) => p.ppid === pid);
    const workersTotalCpuS = workersAtEnd.reduce((total, w) => total + w.cpuS + w.childrenCpuS, 0);
    const idleWindowMs = Date.now() - idleStart;
    const peakRss = peakRssKb(pid);

    const polls = await poller.stop();
    const watched = await watch.stop();
    const downStarted = Date.now();
    const down = await gaffer(["down", "--json"], dir);
    const downMs = Date.now() - downStarted;
    if (down.code !== 0) throw new Error(`gaffer down failed: ${down.stderr}`);
    seen.add(first);
    const leftovers = await seen.leftovers(dir);

    const events = await listEvents(store.db, {});
    const proposedAt = events.filter((e) => e.type === "run.proposed").map((e) => e.at);
    const windowS = (done.at - startedAt) / 1000;
    const supervisorCpuS = atDone.cpuS - first.cpuS;
    const full = fullWindow(samples, options.agents);
    const latencies = statusLatencies(runChanges(events), polls);
    return {
      result: {
        wallMs: Math.max(...proposedAt) - startedAt,
        ramp: ramp(events, startedAt),
        supervisor: {
          pid,
          windowS: round(windowS),
          cpuS: round2(supervisorCpuS),
          /** Its CPU from its start until it owned the project (module loading, reconcile). */
          startupCpuS: round2(first.cpuS),
          cpuShareOfCore: round2(supervisorCpuS / windowS),
          peak5sCpuShareOfCore: round2(peakShare(samples, 5000)),
          allAgentsWorkingWindow: full,
          peakRssMb: mb(peakRss),
          sampledPeakRssMb: mb(Math.max(...samples.map((s) => s.rootRssKb))),
          idle: {
            windowS: round(idleWindowMs / 1000),
            cpuShareOfCore: round2((idleTo.cpuS - idleFrom.cpuS) / (idleWindowMs / 1000)),
            runs: (await listRuns(store.db)).length,
          },
        },
        maxAgentsWorking: Math.max(...samples.map((s) => s.agentsWorking)),
        maxWorkers: Math.max(...samples.map((s) => s.workers)),
        /** gaffer's own processes, the supervisor and its workers, agents excluded. */
        gaffer: {
          peakRssMb: mb(Math.max(...samples.map((s) => s.rootRssKb + s.workersRssKb))),
          cpuS: round2(supervisorCpuS + done.workersCpuS),
          cpuShareOfCore: round2((supervisorCpuS + done.workersCpuS) / windowS),
        },
        workersPeakRssMb: mb(Math.max(...samples.map((s) => s.workersRssKb))),
        treePeakRssMb: mb(Math.max(...samples.map((s) => s.treeRssKb))),
        perWorkerPeakRssMb: summarize([...workerPeaks.values()].map(mb)),
        // The workers, with all they started (agents, sandboxes, gates, git): a worker that exited
        // counts in the supervisor's children's times, a live one is read from its own.
        workersCpuS: round(idleTo.childrenCpuS - first.childrenCpuS + workersTotalCpuS),
        totalCpuS: round(idleTo.childrenCpuS - first.childrenCpuS + workersTotalCpuS + idleTo.cpuS),
        downMs,
        ...leftovers,
        timeline: timeline(samples, startedAt),
      },
      latency: latencySummary(latencies, polls),
      watchLatency: {
        changes: watched.length,
        medianMs: percentile(watched, 50),
        p95Ms: percentile(watched, 95),
        maxMs: percentile(watched, 100),
      },
    };
  } finally {
    await poller.stop();
    await watch?.stop();
    await store.close();
    await gaffer(["down"], dir).catch(() => {});
  }
}

/** The same items, each as its own `gaffer run <item>` process, all started at once. */
async function plainPhase(dir: string, scratch: string, options: FactoryBenchOptions) {
  const poller = startPoller(dir, join(scratch, "plain-polls.jsonl"));
  const store = await openStore(projectPaths(dir).database);
  const children: ChildProcess[] = [];
  try {
    const before = procStat("self") as ProcStat;
    const startedAt = Date.now();
    const exits: Promise<void>[] = [];
    const failures: string[] = [];
    for (let item = 1; item <= options.agents; item++) {
      const child = spawn(process.execPath, [BIN, "run", String(item), "--plain"], {
        cwd: dir,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      exits.push(
        new Promise((resolve) =>
          child.on("close", (code) => {
            if (code !== 0) failures.push(`item ${item}: exit ${code}: ${stderr.trim().split("\n").at(-1)}`);
            resolve();
          }),
        ),
      );
      children.push(child);
    }
    let running = children.length;
    const allExited = Promise.all(exits).then(() => {
      running = 0;
    });

    const peaks = new Map<number, number>();
    const seen = new Seen();
    const samples: Sample[] = [];
    const deadline = startedAt + options.timeoutMs;
    while (running > 0) {
      const all = allProcesses();
      const roots = children.flatMap((c) =>
        c.pid !== undefined && all.has(c.pid) ? [all.get(c.pid) as ProcStat] : [],
      );
      for (const r of roots) peaks.set(r.pid, Math.max(peaks.get(r.pid) ?? 0, peakRssKb(r.pid)));
      const below = descendants(
        roots.map((r) => r.pid),
        all,
      );
      for (const p of [...roots, ...below]) seen.add(p);
      samples.push({
        at: Date.now(),
        cpuS: Number.NaN,
        rootRssKb: 0,
        workers: roots.length,
        workersRssKb: sum(roots),
        // Reaped `gaffer run` processes count in this process's children's CPU instead.
        workersCpuS: Number.NaN,
        treeRssKb: sum(roots) + sum(below),
        agentsWorking: (await listRuns(store.db, { states: ["agent"] })).length,
      });
      if (Date.now() > deadline) throw new Error(`the plain runs did not finish: ${await states(store.db)}`);
      await Promise.race([allExited, sleep(options.sampleMs)]);
    }
    // Every `gaffer run` was reaped by now; the poller and its status processes are not yet.
    const after = procStat("self") as ProcStat;
    const endedAt = Date.now();
    if (failures.length > 0) throw new Error(`plain runs failed:\n${failures.join("\n")}`);
    if (!(await allProposed(store.db, options.agents)))
      throw new Error(`plain runs: ${await states(store.db)}`);
    const polls = await poller.stop();
    const events = await listEvents(store.db, {});
    const proposedAt = events.filter((e) => e.type === "run.proposed").map((e) => e.at);
    return {
      result: {
        wallMs: Math.max(...proposedAt) - startedAt,
        allExitedMs: endedAt - startedAt,
        ramp: ramp(events, startedAt),
        maxAgentsWorking: Math.max(...samples.map((s) => s.agentsWorking)),
        // All of the runs' CPU, their agents', sandboxes' and gate commands' included.
        cpuS: round(after.childrenCpuS - before.childrenCpuS),
        runsPeakRssMb: mb(Math.max(...samples.map((s) => s.workersRssKb))),
        treePeakRssMb: mb(Math.max(...samples.map((s) => s.treeRssKb))),
        perRunPeakRssMb: summarize([...peaks.values()].map(mb)),
        ...(await seen.leftovers(dir)),
      },
      latency: latencySummary(statusLatencies(runChanges(events), polls), polls),
    };
  } finally {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await poller.stop();
    await store.close();
  }
}

/**
 * The stretch during which every agent was at work at once (by the samples), and the supervisor's
 * CPU over it; null when the agents never all overlapped.
 */
function fullWindow(samples: Sample[], agents: number) {
  const full = samples.filter((s) => s.agentsWorking >= agents);
  const first = full[0];
  const last = full.at(-1);
  if (!first || !last || last.at - first.at < 1000) return null;
  const seconds = (last.at - first.at) / 1000;
  return { windowS: round(seconds), cpuShareOfCore: round2((last.cpuS - first.cpuS) / seconds) };
}

/**
 * How the runs got going: from the start to the last run created and to the last agent at work,
 * each run's time from its creation to its agent's first turn (workspace, sandbox, gate preflight,
 * brief), and, under the supervisor, each worker's time from being started to creating its run.
 */
function ramp(events: GafferEvent[], startedAt: number) {
  const created = new Map<number, { at: number; item: number | null }>();
  const agentAt = new Map<number, number>();
  const workerStarted = new Map<number, number>();
  for (const e of events) {
    if (e.type === "role.started" && typeof e.data.item === "number" && !workerStarted.has(e.data.item))
      workerStarted.set(e.data.item, e.at);
    if (e.runId === null) continue;
    if (e.type === "run.created") created.set(e.runId, { at: e.at, item: e.itemId });
    if (e.type === "attempt.started" && !agentAt.has(e.runId)) agentAt.set(e.runId, e.at);
  }
  const toAgent = [...agentAt].map(([run, at]) => at - (created.get(run)?.at ?? at));
  const workerToRun = [...created.values()].flatMap(({ at, item }) => {
    const started = item === null ? undefined : workerStarted.get(item);
    return started === undefined ? [] : [at - started];
  });
  return {
    lastRunCreatedMs: Math.max(...[...created.values()].map((c) => c.at)) - startedAt,
    lastAgentStartedMs: Math.max(...agentAt.values()) - startedAt,
    runCreatedToAgentMs: distribution(toAgent),
    ...(workerToRun.length > 0 && { workerStartedToRunCreatedMs: distribution(workerToRun) }),
  };
}

function distribution(samples: number[]) {
  return {
    median: percentile(samples, 50),
    p95: percentile(samples, 95),
    min: percentile(samples, 0),
    max: percentile(samples, 100),
  };
}

/**
 * Per sample: seconds since the start, the supervisor's CPU share since the previous sample, agents
 * at work, workers alive, and the supervisor's and the workers' RSS in MB.
 */
function timeline(samples: Sample[], startedAt: number) {
  return {
    columns: ["s", "supervisorCpuShare", "agentsWorking", "workers", "supervisorRssMb", "workersRssMb"],
    rows: samples.map((s, i) => {
      const previous = samples[i - 1];
      const share = previous ? (s.cpuS - previous.cpuS) / ((s.at - previous.at) / 1000) : 0;
      return [
        round((s.at - startedAt) / 1000),
        round2(share),
        s.agentsWorking,
        s.workers,
        mb(s.rootRssKb),
        mb(s.workersRssKb),
      ];
    }),
  };
}

/** The supervisor's highest CPU share over any `windowMs` between samples. */
function peakShare(samples: Sample[], windowMs: number): number {
  let peak = 0;
  for (let i = 0, j = 0; i < samples.length; i++) {
    const end = samples[i] as Sample;
    while (j < i && end.at - (samples[j + 1] as Sample).at >= windowMs) j++;
    const start = samples[j] as Sample;
    if (end.at - start.at >= windowMs)
      peak = Math.max(peak, (end.cpuS - start.cpuS) / ((end.at - start.at) / 1000));
  }
  return peak;
}

function latencySummary(latencies: number[], polls: Poll[]) {
  const durations = polls.filter((p) => p.ok).map((p) => p.end - p.start);
  return {
    changes: latencies.length,
    medianMs: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    maxMs: percentile(latencies, 100),
    polls: polls.length,
    failedPolls: polls.filter((p) => !p.ok).length,
    statusMs: { median: percentile(durations, 50), p95: percentile(durations, 95) },
  };
}

/** A small git repository with a trivial gate, the factory's settings, and one scenario item per agent. */
async function createProject(scratch: string, name: string, options: FactoryBenchOptions): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(scratch, `${name}-`)));
  mkdirSync(join(dir, "src"));
  for (let i = 0; i < 20; i++)
    writeFileSync(join(dir, "src", `mod${i}.js`), `export const value${i} = ${i};\n`);
  writeFileSync(
    join(dir, "gaffer.toml"),
    `[[gate.commands]]
name = "check"
run = "true"

[factory]
max_concurrency = ${options.agents}

[roles.builder]
kind = "loop"
concurrency = ${options.agents}
policy = "heal+stall"
`,
  );
  writeFileSync(join(dir, ".gitignore"), ".gaffer/\n");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(
    dir,
    "-c",
    "user.name=bench",
    "-c",
    "user.email=bench@localhost",
    "commit",
    "-q",
    "-m",
    "bench project",
  );
  const store = await openStore(projectPaths(dir).database);
  try {
    for (let i = 1; i <= options.agents; i++) {
      const title = `bench item ${i}`;
      await addItem(store.db, {
        title,
        body: `${title}\n\n\`\`\`scenario\n${scenario(i, options)}\n\`\`\`\n`,
      });
    }
  } finally {
    await store.close();
  }
  return dir;
}

/** Says something and sleeps, `steps` times, then writes its own file. */
function scenario(item: number, options: FactoryBenchOptions): string {
  const steps: string[] = [];
  for (let step = 1; step <= options.steps; step++) {
    steps.push(`  { say = "item ${item}: step ${step}" },`, `  { sleep = ${options.stepSleepMs} },`);
  }
  steps.push(`  { write = "out/${item}.md", content = "item ${item}\\n" },`);
  return `[[attempts]]\nsteps = [\n${steps.join("\n")}\n]`;
}

async function allProposed(db: Db, items: number): Promise<boolean> {
  const latest = latestRuns(await listRuns(db));
  const bad = [...latest.values()].filter((r) => ["failed", "gave-up", "discarded"].includes(r.state));
  if (bad.length > 0)
    throw new Error(
      `runs ended without a proposal: ${bad.map((r) => `#${r.id} ${r.state} ${r.reason ?? ""}`).join("; ")}`,
    );
  return latest.size === items && [...latest.values()].every((r) => r.state === "proposed");
}

async function states(db: Db): Promise<string> {
  const counts = new Map<string, number>();
  for (const run of latestRuns(await listRuns(db)).values())
    counts.set(run.state, (counts.get(run.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(", ") || "no runs";
}

function latestRuns(runs: Run[]): Map<number, Run> {
  const latest = new Map<number, Run>();
  for (const run of runs) latest.set(run.itemId, run);
  return latest;
}

/**
 * Starts the status poller as its own process, in a session of its own (as in a terminal of its
 * own); `stop` ends it and returns its polls.
 */
function startPoller(dir: string, out: string): { stop(): Promise<Poll[]> } {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", POLLER, dir, out], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await closed;
      return readPolls(out);
    },
  };
}

function gaffer(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every process seen in a phase's process tree, to tell afterwards whether any outlived it. */
class Seen {
  readonly #processes = new Map<number, { startTicks: number; command: string }>();

  add(process: ProcStat): void {
    if (this.#processes.get(process.pid)?.startTicks === process.startTicks) return;
    this.#processes.set(process.pid, { startTicks: process.startTicks, command: commandLine(process.pid) });
  }

  /**
   * The processes still alive once the phase is over, after a grace period for those already on
   * their way out (`leftovers`), and those that were still alive at first but ended within it
   * (`lingered`, with how long after). Processes working in the project's directory count too.
   */
  async leftovers(dir: string, graceMs = 10_000): Promise<{ leftovers: string[]; lingered: string[] }> {
    const alive = () => [
      ...[...this.#processes]
        .filter(([pid, { startTicks }]) => procStat(pid)?.startTicks === startTicks)
        .map(([pid, { command }]) => `${pid}: ${command}`),
      ...processesIn(dir),
    ];
    const started = Date.now();
    const gone = new Map<string, number>();
    let current = alive();
    const first = new Set(current);
    while (current.length > 0 && Date.now() - started < graceMs) {
      await sleep(100);
      const now = new Set(alive());
      for (const each of current) if (!now.has(each)) gone.set(each, Date.now() - started);
      current = [...now];
    }
    return {
      leftovers: current,
      lingered: [...first]
        .filter((each) => gone.has(each))
        .map((each) => `${each} (gone after ${gone.get(each)} ms)`),
    };
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim().slice(0, 200);
  } catch {
    return "?";
  }
}

function sum(processes: ProcStat[]): number {
  return processes.reduce((total, p) => total + p.rssKb, 0);
}

function mb(kb: number): number {
  return round(kb / 1024);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
