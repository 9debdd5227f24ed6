import assert from "node:assert/strict";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { isOwnerAlive, projectPaths } from "../../src/engine/index.ts";
import { daemonFile, namespaceFile, runningDaemon } from "../../src/factory/ownership.ts";
import { listClaims, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { processesIn } from "../helpers/processes.ts";
import { fileItem, scenarioItem } from "../helpers/project.ts";
import { waitFor, waitForEvent } from "../helpers/wait.ts";

const CONFIG = `
[[gate.commands]]
name = "test"
run = "node --test"

[factory]
heartbeat = "500ms"

[roles.builder]
policy = "heal"
`;

const WAITING = scenarioItem("wait", `[[attempts]]\nsteps = [{ sleep = 600000 }]`);

describe("e2e: gaffer down", () => {
  it("after its supervisor was SIGKILLed, kills what it left, interrupts its run, and says exactly that", async (t) => {
    const { dir, env } = await factoryProject(t);
    const id = await fileItem(dir, WAITING);
    assert.equal((await gaffer(["up"], { cwd: dir, env })).code, 0);
    await waitForEvent(dir, "attempt.started");
    const daemon = runningDaemon(projectPaths(dir).stateDir);
    assert.ok(daemon);
    process.kill(daemon.pid, "SIGKILL");
    await waitFor(() => !isOwnerAlive(daemon.owner), "the supervisor to be gone");

    const down = await gaffer(["down"], { cwd: dir, env });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(
      down.stdout,
      `gaffer is down: its supervisor (pid ${daemon.pid}) had died; 1 leftover process killed; run 1 interrupted; 1 claim given back\n` +
        "  workspaces kept; resume: gaffer up, or gaffer run <item> --resume\n",
    );
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    try {
      assert.equal((await listRuns(store.db, { itemId: id }))[0]?.state, "interrupted");
      assert.deepEqual(await listClaims(store.db), []);
    } finally {
      await store.close();
    }
    // A sandboxed agent dies with its worker; an unconfined one (no bubblewrap here) ends once its
    // worker's end of the pipe is gone, at the agents' low priority.
    await waitFor(() => processesIn(dir).length === 0, "nothing of the project's left running");
    assert.equal(existsSync(daemonFile(projectPaths(dir).stateDir)), false, "the dead supervisor's record");
    assert.equal(existsSync(namespaceFile(daemon.namespace, env)), false, "its namespace's record");
    const again = await gaffer(["down"], { cwd: dir, env });
    assert.equal(again.stdout, "gaffer is not up here: nothing to stop\n");
  });

  it("stops a live supervisor, whose worker cancels its run, and reports the run cancelled", async (t) => {
    const { dir, env } = await factoryProject(t);
    await fileItem(dir, WAITING);
    assert.equal((await gaffer(["up"], { cwd: dir, env })).code, 0);
    await waitForEvent(dir, "attempt.started");
    const daemon = runningDaemon(projectPaths(dir).stateDir);
    const down = await gaffer(["down", "--json"], { cwd: dir, env });
    assert.equal(down.code, 0, down.stderr);
    const result = JSON.parse(down.stdout);
    assert.equal(result.stopped.pid, daemon?.pid);
    assert.equal(result.died, null);
    assert.equal(result.killed, 0);
    assert.deepEqual(result.ended, [{ runId: 1, itemId: 1, state: "cancelled" }]);
    assert.deepEqual(processesIn(dir), []);
  });
});

/** A sample project with one builder, its namespace registered under a private XDG_STATE_HOME. */
async function factoryProject(t: TestContext): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-down-")));
  const env = { XDG_STATE_HOME: join(dir, ".xdg-state") };
  t.after(async () => {
    await gaffer(["down"], { cwd: dir, env });
    rmSync(dir, { recursive: true, force: true });
  });
  await createSampleRepository(dir);
  writeFileSync(join(dir, "gaffer.toml"), CONFIG);
  return { dir, env };
}
