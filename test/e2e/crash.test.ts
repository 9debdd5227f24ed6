import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SAMPLE_ITEMS } from "../../src/demo/sample.ts";
import { openProject, projectPaths } from "../../src/engine/index.ts";
import { listRuns } from "../../src/store/index.ts";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { assertStoreConsistent } from "../helpers/consistency.ts";
import { gitOut } from "../helpers/git.ts";
import { random } from "../helpers/random.ts";
import { processesIn } from "../helpers/processes.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

const TRIALS = 24;
const HEALING_ITEM = SAMPLE_ITEMS[1] as { title: string; body: string };

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
      await waitFor(() => processesIn(dir).length === 0, "the killed run's agent and gate to exit");

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

  it(
    "a run SIGKILLed mid-agent leaves no sandbox runtime directory behind once it is recovered and resumed",
    { skip: sandboxSkip() },
    async (t) => {
      const dir = await sampleProject(t);
      const tmp = tempDir(t, "gaffer-crash-tmp-");
      const env = { TMPDIR: tmp };
      // The first turn waits, the resumed one (its HOME kept for --resume) goes on at once.
      const id = await fileItem(
        dir,
        scenarioItem(
          "write a note after a pause",
          `[[attempts]]
steps = [
  { run = "if [ ! -f \\"$HOME/paused\\" ]; then touch \\"$HOME/paused\\"; sleep 600; fi" },
  { write = "notes/after.md", content = "after\\n" },
]`,
        ),
      );
      const leftovers = () => readdirSync(tmp).filter((name) => name.startsWith("gaffer-sandbox-"));
      const killed = startGaffer(["run", String(id)], { cwd: dir, env });
      const done = collect(killed);
      const paused = join(projectPaths(dir).runDir(1), "sandbox", "home", "paused");
      await waitFor(() => existsSync(paused), "the agent's first turn to pause");
      killed.kill("SIGKILL");
      await done;
      await waitFor(() => processesIn(dir).length === 0, "the killed run's sandboxed agent to die with it");
      assert.notDeepEqual(leftovers(), [], "the killed run could not remove its sandbox's runtime directory");

      const resumed = await gaffer(["run", String(id), "--resume"], { cwd: dir, env });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resumed \(was interrupted\)/);
      assert.deepEqual(leftovers(), [], "recovery removed what the dead process left");
      assert.deepEqual(processesIn(dir), []);
    },
  );
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
