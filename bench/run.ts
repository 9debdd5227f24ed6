import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { generateRepository } from "./fixture.ts";
import { round, summarize } from "./stats.ts";
import { measureGafferStart, measureRawClone } from "./run-start.ts";
import { measureSandboxOverhead } from "./sandbox.ts";

const FILES = Number(process.env.BENCH_FILES ?? 5000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 7);
const GOAL_RATIO = 1.3;

/**
 * `npm run bench`: how long `gaffer run` takes to put an agent to work on a 5,000-file repository,
 * against a raw `git clone --shared` plus checkout measured in the same run, and gaffer's peak RSS.
 */
async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "gaffer-bench-"));
  try {
    const repo = join(scratch, "repo");
    process.stderr.write(`generating a ${FILES}-file repository…\n`);
    generateRepository(repo, FILES);
    process.stderr.write(`raw clone --shared + checkout and gaffer run, interleaved, ${ITERATIONS} times…\n`);
    const { raw, gaffer } = await interleaved(repo, scratch);
    const ratio = round((gaffer.toSessionMs.median / raw.median) * 100) / 100;
    const result = {
      benchmark: "run-start",
      date: new Date().toISOString(),
      machine: { node: process.versions.node, cpus: cpus().length, memoryGb: round(totalmem() / 2 ** 30) },
      repository: { files: FILES },
      iterations: ITERATIONS,
      rawCloneMs: raw,
      gafferToSessionMs: gaffer.toSessionMs,
      ratio,
      goalRatio: GOAL_RATIO,
      meetsGoal: ratio <= GOAL_RATIO,
      gafferPeakRssMb: gaffer.peakRssMb,
    };
    writeResult("run-start", result);
    process.stdout.write(
      `raw clone+checkout median ${raw.median} ms; gaffer run → session median ${gaffer.toSessionMs.median} ms; ratio ${ratio} (goal ≤ ${GOAL_RATIO}); peak RSS median ${gaffer.peakRssMb.median} MB\nwrote bench/results/run-start.json\n`,
    );
    await sandboxBenchmark();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The sandbox's start cost per agent process, against a plain spawn measured in the same run. */
async function sandboxBenchmark(): Promise<void> {
  const iterations = Number(process.env.BENCH_SANDBOX_ITERATIONS ?? 40);
  process.stderr.write(`sandboxed vs plain spawns, ${iterations} times…\n`);
  const overhead = await measureSandboxOverhead(iterations);
  writeResult("sandbox", {
    benchmark: "sandbox",
    date: new Date().toISOString(),
    machine: { node: process.versions.node, cpus: cpus().length },
    iterations,
    ...overhead,
    goalExtraMedianMs: 50,
    meetsGoal: overhead.extraMedianMs < 50,
  });
  process.stdout.write(
    `sandbox start overhead: +${overhead.extraMedianMs} ms median per process (goal < 50 ms)\nwrote bench/results/sandbox.json\n`,
  );
}

function writeResult(name: string, result: unknown): void {
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}

/** Alternates the two measurements so cache warmth and background load hit both alike. */
async function interleaved(repo: string, scratch: string) {
  const rawSamples: number[] = [];
  const toSession: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    rawSamples.push(measureRawClone(repo, scratch));
    const sample = await measureGafferStart(repo, i);
    toSession.push(sample.toSessionMs);
    rss.push(sample.peakRssMb);
  }
  return {
    raw: summarize(rawSamples),
    gaffer: { toSessionMs: summarize(toSession), peakRssMb: summarize(rss) },
  };
}

await main();
