import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem, findProposal, listEvents } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random agent work that keeps the gate green: files written, rewritten, removed, ignored, committed. */
function randomSteps(seed: number): string[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const paths = ["notes/a.md", "notes/deep/b.txt", "docs/c.md", "d.txt", "src/extra.js", "node_modules/e.js"];
  const steps: string[] = [];
  for (let i = 0, count = 3 + Math.floor(next() * 8); i < count; i++) {
    const path = pick(paths);
    const roll = next();
    if (roll < 0.55) steps.push(`{ write = "${path}", content = "seed ${seed} step ${i}\\n" }`);
    else if (roll < 0.7) steps.push(`{ run = "rm -f ${path}" }`);
    else steps.push(`{ commit = "step ${i}" }`);
  }
  // Something always changes, so there is a proposal.
  steps.push(`{ write = "notes/seed-${seed}.md", content = "${seed}\\n" }`);
  return steps;
}

describe("engine: the gate, the checks and the proposal name one tree", () => {
  for (const seed of [1, 7, 42, 1234, 99991]) {
    it(`holds for random agent work (seed ${seed})`, async (t) => {
      const project = await inProcessProject(t);
      const steps = randomSteps(seed);
      const scenario = `[[attempts]]\nsteps = [\n  ${steps.join(",\n  ")},\n]\n`;
      const item = await addItem(project.store.db, scenarioItem(`random work ${seed}`, scenario));
      const result = await startRun(project, item.id, IN_PROCESS);
      assert.equal(result.outcome, "proposed", `seed ${seed}: ${result.run.reason}\n${scenario}`);
      const events = await listEvents(project.store.db, { runId: result.run.id });
      const gated = events.findLast((e) => e.type === "gate.passed")?.data.tree;
      const checked = events.findLast((e) => e.type === "proposal.committed")?.data.tree;
      const proposal = await findProposal(project.store.db, result.run.id);
      const published = execFileSync(
        "git",
        ["-C", project.root, "rev-parse", `${result.run.branch}^{tree}`],
        {
          encoding: "utf8",
        },
      ).trim();
      assert.ok(typeof gated === "string" && gated.length === 40);
      assert.deepEqual(
        [checked, proposal?.tree, proposal?.environment?.tree, published],
        [gated, gated, gated, gated],
      );
      const files = execFileSync(
        "git",
        ["-C", project.root, "ls-tree", "-r", "--name-only", result.run.branch],
        {
          encoding: "utf8",
        },
      );
      assert.doesNotMatch(files, /node_modules\//, "ignored files are never proposed");
    });
  }
});
