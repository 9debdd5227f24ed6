import assert from "node:assert/strict";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SAMPLE_ITEMS } from "../../src/demo/sample.ts";
import { openProject, projectPaths } from "../../src/engine/index.ts";
import { listRuns } from "../../src/store/index.ts";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { assertStoreConsistent } from "../helpers/consistency.ts";
import { gitOut } from "../helpers/git.ts";
import { fileItem, sampleProject } from "../helpers/project.ts";
import { waitFor } from "../helpers/wait.ts";

const TRIALS = 24;
const HEALING_ITEM = SAMPLE_ITEMS[1] as { title: string; body: string };

/** Processes working inside `dir`: a killed run's orphaned agent and gate, until they exit. */
function processesUnder(dir: string): string[] {
  return readdirSync("/proc").filter((pid) => {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cwd === dir || cwd.startsWith(`${dir}/`);
    } catch {
      return false; // not a process, gone, or a zombie
    }
  });
}

/** A small deterministic generator, so a failing trial can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("e2e: crash safety", () => {
  it(`SIGKILL at ${TRIALS} random points: interrupted, consistent, intact, and --resume reaches the same proposal`, async (t) => {
    const dir = await sampleProject(t);
    const database = projectPaths(dir).database;

    const baselineStarted = Date.now();
    const baseline = await gaffer(["run", "2"], { cwd: dir });
    const duration = Date.now() - baselineStarted;
    assert.equal(baseline.code, 0, baseline.stderr);
    const expectedTree = gitOut(dir, "rev-parse", "gaffer/2-average-should-return-0^{tree}");

    const next = random(20261121);
    for (let trial = 0; trial < TRIALS; trial++) {
      const itemId = await fileItem(dir, {
        title: `${HEALING_ITEM.title} (trial ${trial})`,
        body: HEALING_ITEM.body,
      });
      const delay = Math.round(next() * duration);
      const child = startGaffer(["run", String(itemId)], { cwd: dir });
      const done = collect(child);
      await sleep(delay);
      child.kill("SIGKILL");
      await done;
      await waitFor(() => processesUnder(dir).length === 0, "the killed run's agent and gate to exit");

      // The next start marks the run interrupted (or finds it finished, or never created).
      const project = await openProject(dir);
      const run = (await listRuns(project.store.db, { itemId })).at(-1);
      await project.close();
      assertStoreConsistent(database);
      const context = `trial ${trial}, killed after ${delay} ms (state ${run?.state ?? "no run"})`;
      if (run) assert.ok(["interrupted", "proposed"].includes(run.state), context);
      if (run?.workspace && existsSync(run.workspace)) {
        assert.equal(
          gitOut(run.workspace, "merge-base", "HEAD", run.baseCommit),
          run.baseCommit,
          `${context}: workspace intact`,
        );
      }

      const finish = await gaffer(
        run?.state === "interrupted" ? ["run", String(itemId), "--resume"] : ["run", String(itemId)],
        { cwd: dir },
      );
      if (run?.state === "interrupted") assert.match(finish.stderr, /resumed \(was interrupted\)/, context);
      if (run?.state !== "proposed") assert.equal(finish.code, 0, `${context}: ${finish.stderr}`);
      const branch = run?.branch ?? (await branchOf(dir, itemId));
      assert.equal(
        gitOut(dir, "rev-parse", `${branch}^{tree}`),
        expectedTree,
        `${context}: same proposal as an uninterrupted run`,
      );
      assertStoreConsistent(database);
    }
  });
});

async function branchOf(dir: string, itemId: number): Promise<string> {
  const project = await openProject(dir);
  try {
    const run = (await listRuns(project.store.db, { itemId })).at(-1);
    assert.ok(run);
    return run.branch;
  } finally {
    await project.close();
  }
}
