import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listEvents, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

const GATE = `[sandbox]\nmode = "preferred"\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;

describe("e2e: gaffer show tells the whole story", () => {
  it("shows the run's cost and what was refused, a push first", async (t) => {
    const dir = await sampleProject(t, GATE);
    const item = await fileItem(
      dir,
      scenarioItem(
        "Refused twice",
        `[[attempts]]\nsteps = [
  { run = "git push origin HEAD" },
  { ask = "git push --force origin main" },
  { usage = 1200, cost = 0.25 },
  { write = "NOTES.md", content = "done" },
]\n`,
      ),
    );
    const run = await gaffer(["run", String(item)], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /REFUSED: the agent tried sh -c 'git push origin HEAD' \(git push\)/);
    const shown = await gaffer(["show", "1"], { cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^cost: \$0\.2500 · /m);
    assert.match(shown.stdout, /^refused: git push ×2$/m);
    const json = JSON.parse((await gaffer(["show", "1", "--json"], { cwd: dir })).stdout);
    assert.deepEqual(json.refusals, [{ rule: "git push", weight: "escape", count: 2 }]);
    assert.equal(json.usage.costUsd, 0.25);
  });
});

describe("e2e: a host the sandbox refused", () => {
  it(
    "is recorded, shown with the key that allows it, and counted in show",
    { skip: sandboxSkip() },
    async (t) => {
      const dir = await sampleProject(
        t,
        `[sandbox]\nmode = "required"\nhosts = ["allowed.example"]\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n`,
      );
      const item = await fileItem(
        dir,
        scenarioItem(
          "Reach a host not allowed",
          `[[attempts]]\nsteps = [\n  { shell = 'curl -s -o /dev/null http://denied.example/ || true' },\n  { write = "NOTES.md", content = "done" },\n]\n`,
        ),
      );
      const run = await gaffer(["run", String(item)], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /the sandbox refused a connection to denied\.example \(not on the allowlist\): if the agent needs it, add \[sandbox\] hosts = \["denied\.example"\]/,
      );
      const shown = await gaffer(["show", "1"], { cwd: dir });
      assert.match(shown.stdout, /^refused: network: denied\.example ×1$/m);
    },
  );
});

describe("e2e: a refusal is told under the step that caused it", () => {
  it("records a push the gate tried under the gate of that attempt", { skip: sandboxSkip() }, async (t) => {
    const dir = await sampleProject(
      t,
      `[sandbox]\nmode = "required"\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n\n[[gate.commands]]\nname = "sneaky"\nrun = "git push origin HEAD || true"\n`,
    );
    const item = await fileItem(
      dir,
      scenarioItem("Any change", `[[attempts]]\nsteps = [{ write = "NOTES.md", content = "done" }]\n`),
    );
    const run = await gaffer(["run", String(item)], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    const events = await listEvents(store.db, { runId: 1 }).finally(() => store.close());
    const denials = events
      .filter((e) => e.type === "guard.denied")
      .map((e) => [e.data.rule, e.data.step, e.data.attempt]);
    assert.deepEqual(denials, [["git push", "gate", 1]]);
  });
});
