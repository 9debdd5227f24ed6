import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { waitForEvent } from "../helpers/wait.ts";
import { agentScenario, GREEN, setAgent, TRACK, trackProject } from "./fixture.ts";

describe("track run: resumed after SIGKILL mid-task", () => {
  it("refuses to start over the state it left, and --resume carries on the very run it killed", async (t) => {
    const dir = trackProject(t, { green: agentScenario('{ say = "working" }, { sleep = 600000 }') });
    const child = startGaffer(["track", "run", TRACK, "--plain"], { cwd: dir });
    const done = collect(child);
    const green = await waitForEvent(dir, "run.created", (data) => data.gateFirst === true);
    await waitForEvent(dir, "agent.prompt", (data) =>
      String(data.path).includes(`${join(".gaffer", "runs", String(green.runId))}/`),
    );
    child.kill("SIGKILL");
    assert.equal((await done).signal, "SIGKILL");

    const refused = await gaffer(["track", "run", TRACK], { cwd: dir });
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /its state is .*tests\/artifacts\/tier2_state\/demo_20260101\/state\.json/);

    setAgent(dir, "green", GREEN);
    const resumed = await gaffer(["track", "run", TRACK, "--resume", "--json"], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const result = JSON.parse(resumed.stdout) as {
      outcome: string;
      state: { completed: { green_run: number }[] };
    };
    assert.equal(result.outcome, "completed");
    assert.equal(
      result.state.completed[0]?.green_run,
      green.runId,
      "the killed run was resumed, not replaced",
    );
    await waitForEvent(dir, "run.resumed", (data) => data.from === "interrupted");
    assert.equal(
      gitOut(dir, "log", "--format=%s", `tier2/${TRACK}`, "^main", "--grep=^feat(").split("\n").length,
      3,
    );
  });
});
