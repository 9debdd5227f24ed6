import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { openProject } from "../../src/engine/index.ts";
import { readBackendPauses } from "../../src/factory/backend-pause.ts";
import { addItem, appendEvent, EVENTS } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { createTestRun } from "../helpers/store.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 0);

const limit = (host: string, until: number, agent = "claude") => ({
  attempt: 1,
  host,
  api: "anthropic",
  agent,
  status: 429,
  resetsAt: until,
  until,
  message: "usage limit reached",
});

describe("factory/backend-pause", () => {
  it("holds, per host, the latest plan limit still ahead, for the agent that met it and every preset using the host", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    const project = await openProject(dir);
    t.after(() => project.close());
    const db = project.store.db;
    const item = await addItem(db, { title: "x" });
    const run = await createTestRun(db, item.id, { agent: "claude" });
    const scope = { runId: run.id, itemId: item.id };
    await appendEvent(
      db,
      scope,
      EVENTS.modelPlanLimit,
      limit("api.anthropic.com", NOW + 3_600_000),
      NOW - 2000,
    );
    // A later limit of the same host replaces the earlier one.
    await appendEvent(db, scope, EVENTS.modelPlanLimit, limit("api.anthropic.com", NOW + 60_000), NOW - 1000);
    await appendEvent(
      db,
      scope,
      EVENTS.modelPlanLimit,
      limit("api.openai.com", NOW - 1, "codex"),
      NOW - 1000,
    );
    await appendEvent(
      db,
      scope,
      EVENTS.modelPlanLimit,
      limit("127.0.0.1:9", NOW + 1000, "scripted"),
      NOW - 9 * 24 * 3_600_000,
    );

    const config = parseConfig("", join(dir, "gaffer.toml"), dir, {});
    assert.deepEqual(await readBackendPauses(db, config, NOW), [
      {
        host: "api.anthropic.com",
        until: NOW + 60_000,
        agents: ["claude", "opencode", "goose"],
        run: run.id,
      },
    ]);
    assert.deepEqual(await readBackendPauses(db, config, NOW + 60_000), [], "over at its reset");
  });

  it("gaffer status shows what a plan limit holds back", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    writeFileSync(join(dir, "gaffer.toml"), '[roles.builder]\nagent = "claude"\n');
    const project = await openProject(dir);
    const item = await addItem(project.store.db, { title: "x" });
    const run = await createTestRun(project.store.db, item.id, { agent: "claude" });
    const until = Date.now() + 3_600_000;
    await appendEvent(
      project.store.db,
      { runId: run.id },
      EVENTS.modelPlanLimit,
      limit("api.anthropic.com", until),
    );
    await project.close();

    const shown = await gaffer(["status"], { cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /plan limit: api\.anthropic\.com until .* holds claude, opencode, goose back/);
    const json = JSON.parse((await gaffer(["status", "--json"], { cwd: dir })).stdout);
    assert.deepEqual(json.factory.backends, [
      { host: "api.anthropic.com", until, agents: ["claude", "opencode", "goose"], run: run.id },
    ]);
  });
});
