import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { ccCiProject, golden, LIVE_SESSIONS, SEED_STATUS, startSessions } from "./cc-ci.ts";

const words = (line: string) => line.trim().split(/\s+/);

describe("gaffer status: the factory's table", () => {
  it("reproduces cc-ci's live status: word for word as the seed, byte for byte as the golden file", async (t) => {
    const dir = ccCiProject(t);
    startSessions(t, dir, LIVE_SESSIONS);
    const result = await gaffer(["status"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    const table = lines.slice(0, SEED_STATUS.length);
    assert.deepEqual(table.map(words), SEED_STATUS.map(words));
    assert.equal(`${table.join("\n")}\n`, golden("status.golden.txt"));
    assert.equal(lines[SEED_STATUS.length], "", "a blank line, then the daemon, the items and runs");
    assert.match(lines[SEED_STATUS.length + 1] ?? "", /^daemon: down \(gaffer up\)$/);
    assert.match(lines[SEED_STATUS.length + 5] ?? "", /^gaffer · /);
  });

  it("gives the same as JSON, next to the fields status --json always had", async (t) => {
    const dir = ccCiProject(t);
    startSessions(t, dir, ["cc-ci-adv", "cc-ci-watchdog"]);
    const status = JSON.parse((await gaffer(["status", "--json"], { cwd: dir })).stdout);
    for (const key of ["root", "config", "sandbox", "openItems", "counts", "active", "resumable", "recent"])
      assert.ok(key in status, key);
    assert.deepEqual(status.factory.phase, {
      id: "poe2e",
      plan: "plan-phase-poe2e-end-to-end.md",
      number: 19,
      count: 19,
      state: "in progress",
    });
    assert.equal(status.factory.format, "agents.toml");
    const byName = Object.fromEntries(status.factory.roles.map((r: { name: string }) => [r.name, r]));
    assert.deepEqual(byName.adversary, {
      name: "adversary",
      kind: "loop",
      agent: "claude",
      model: "claude-sonnet-4-6",
      policy: "heal+stall",
      enabled: true,
      session: "cc-ci-adv",
      state: "running",
    });
    assert.equal(byName.builder.state, "stopped");
    assert.equal(byName.watchdog.state, "running");
    assert.equal(byName.watchdog.agent, null);
    assert.equal(byName.assistant.enabled, false);
  });

  it("shows a role stopped once its process is gone, and the last phase done once it is", async (t) => {
    const dir = ccCiProject(t, "19\n");
    const [child] = startSessions(t, dir, ["cc-ci-builder"]);
    const running = await gaffer(["status"], { cwd: dir });
    assert.match(running.stdout, /^phase: poe2e \[19\/19\] plan=plan-phase-poe2e-end-to-end\.md \(done\)$/m);
    assert.match(running.stdout, /^builder +loop .* RUNNING$/m);
    child?.kill("SIGKILL");
    if (child) await once(child, "exit");
    assert.match((await gaffer(["status"], { cwd: dir })).stdout, /^builder +loop .* stopped$/m);
  });

  it("leaves out the phase line without phases, and the whole table without roles", async (t) => {
    const dir = gitRepo(t, {
      "gaffer.toml": '[roles.builder]\nmodel = "m1"\n[roles.tidy]\nkind = "service"\ncommand = "true"\n',
    });
    const result = await gaffer(["status"], { cwd: dir });
    assert.deepEqual(result.stdout.split("\n").slice(0, 3), [
      "builder loop    scripted m1 none stopped",
      "tidy    service -        -  -    stopped",
      "",
    ]);
    const bare = gitRepo(t, { "README.md": "hi\n" });
    const plain = await gaffer(["status"], { cwd: bare });
    assert.match(plain.stdout, /^gaffer · /);
    assert.equal(JSON.parse((await gaffer(["status", "--json"], { cwd: bare })).stdout).factory, null);
  });
});
