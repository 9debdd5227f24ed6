import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type NudgeSource, type Project, type RunNotice, startRun } from "../../src/engine/index.ts";
import { addItem, listAttempts, listEvents } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { gitOut } from "../helpers/git.ts";
import { scenarioItem } from "../helpers/project.ts";

/** What the supervisor's SIGUSR2 is to a worker: a nudge the test sends when it wants. */
class Nudges implements NudgeSource {
  readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  nudge(): void {
    for (const listener of this.listeners) listener();
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !condition(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

async function usageRows(project: Project, runId: number) {
  return project.store.db.selectFrom("usage").select(["attempt"]).where("run_id", "=", runId).execute();
}

describe("engine: nudges", () => {
  it("cancels a stalled turn and restarts the attempt, its brief saying why", async (t) => {
    const project = await inProcessProject(t);
    // A restarted attempt plays the same steps, so it stalls again: the test then cancels the run.
    const item = await addItem(
      project.store.db,
      scenarioItem("think forever", `[[attempts]]\nsteps = [{ say = "thinking" }, { stall = true }]`),
    );
    const nudges = new Nudges();
    const controller = new AbortController();
    const notices: RunNotice[] = [];
    const briefs: string[] = [];
    let said = 0;
    const running = startRun(project, item.id, {
      ...IN_PROCESS,
      nudges,
      signal: controller.signal,
      observer: {
        onNotice(notice) {
          notices.push(notice);
          if (notice.type === "agent.prompt") briefs.push(readFileSync(String(notice.data.path), "utf8"));
          if (notice.type === "agent.message") said++;
        },
      },
    });
    await until(() => said === 1, "the first turn to stall");
    assert.equal(nudges.listeners.size, 1, "the turn listens for nudges");
    nudges.nudge();
    await until(() => said === 2, "the restarted turn to stall");
    controller.abort();
    const result = await running;

    assert.equal(result.outcome, "cancelled", "a nudge is not a failure");
    assert.equal(nudges.listeners.size, 0, "nothing listens once the turn is over");
    const types = notices.map((n) => n.type);
    const nudged = types.indexOf("agent.nudged");
    const restarted = types.indexOf("attempt.restarted");
    assert.ok(nudged > 0 && restarted > nudged, types.join(", "));
    assert.deepEqual(notices[nudged]?.data, { attempt: 1 });
    assert.deepEqual(notices[restarted]?.data, { state: "agent", attempt: 1 });
    assert.ok(!types.includes("agent.error"));
    assert.ok(!types.includes("run.failed"));

    // Both plays were attempt 1; only the second brief carries gaffer's note.
    const prompts = notices.filter((n) => n.type === "agent.prompt").map((n) => n.data.attempt);
    assert.deepEqual(prompts, [1, 1]);
    assert.equal(briefs.length, 2);
    assert.doesNotMatch(briefs[0] as string, /Note from gaffer/);
    assert.match(
      briefs[1] as string,
      /# Note from gaffer\nYour previous session on this attempt was stopped/,
    );
    assert.equal(
      readFileSync(join(project.paths.runDir(result.run.id), "attempt-1-brief.md"), "utf8"),
      briefs[1],
    );
    // Both sessions cost something: each has its usage row.
    assert.deepEqual(
      (await usageRows(project, result.run.id)).map((row) => row.attempt),
      [1, 1],
    );
    const stored = (await listEvents(project.store.db, { runId: result.run.id })).map((e) => e.type);
    assert.ok(stored.includes("agent.nudged") && stored.includes("attempt.restarted"));
  });

  it("lets the restarted attempt carry on from the workspace and propose", async (t) => {
    const project = await inProcessProject(t);
    // The first play leaves a marker and hangs in a command; the second finds it and finishes.
    const item = await addItem(
      project.store.db,
      scenarioItem(
        "write a note after a hang",
        `[[attempts]]
steps = [
  { run = "if [ -e .nudged ]; then rm .nudged; exit 0; fi; touch .nudged; exec sleep 60" },
  { write = "notes/after-nudge.md", content = "carried on\\n" },
]`,
      ),
    );
    const nudges = new Nudges();
    let runId = 0;
    const running = startRun(project, item.id, {
      ...IN_PROCESS,
      nudges,
      observer: {
        onNotice(notice) {
          runId = notice.runId;
        },
      },
    });
    await until(() => runId > 0 && existsSync(join(project.paths.workspace(runId), ".nudged")), "the hang");
    await until(() => nudges.listeners.size === 1, "the turn to listen");
    nudges.nudge();
    const result = await running;

    assert.equal(result.outcome, "proposed", result.run.reason ?? "");
    assert.deepEqual(
      (await listAttempts(project.store.db, result.run.id)).map((a) => [a.number, a.state, a.stopReason]),
      [[1, "green", "end_turn"]],
    );
    const types = (await listEvents(project.store.db, { runId: result.run.id })).map((e) => e.type);
    assert.equal(types.filter((type) => type === "agent.nudged").length, 1);
    assert.equal(types.filter((type) => type === "agent.prompt").length, 2);
    const head = result.proposal?.headCommit ?? "";
    assert.equal(gitOut(project.root, "show", `${head}:notes/after-nudge.md`), "carried on");
    assert.equal(
      gitOut(project.root, "ls-tree", "--name-only", head, ".nudged"),
      "",
      "the marker was cleaned up",
    );
  });
});
