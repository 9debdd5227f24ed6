import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createAgentDriver } from "../../src/agents/index.ts";
import type { AgentPreset } from "../../src/agents/types.ts";
import { tempDir } from "../helpers/tmp.ts";
import { PROMPT, recordingContext, SCRIPTED_AGENT_COMMAND, writeScenario } from "./helpers.ts";

describe("agents/registry", () => {
  test("builds a driver for each preset kind", () => {
    const presets: AgentPreset[] = [
      { name: "a", driver: "acp", command: ["claude-agent-acp"], env: {}, passEnv: [], hosts: [] },
      { name: "c", driver: "command", template: "my-agent {prompt_file}", passEnv: [], hosts: [] },
      { name: "s", driver: "scripted", inProcess: true },
      { name: "p", driver: "scripted", inProcess: false },
    ];
    const names = presets.map(
      (preset) => createAgentDriver(preset, { scriptedAgentCommand: SCRIPTED_AGENT_COMMAND }).name,
    );
    assert.deepEqual(names, ["a", "c", "s", "p"]);
  });

  test("a scripted subprocess needs the command that starts it", () => {
    assert.throws(() => createAgentDriver({ name: "p", driver: "scripted", inProcess: false }), {
      code: "agent-unavailable",
      message: "agent p: no command to start the scripted agent as a subprocess",
    });
  });

  for (const inProcess of [true, false]) {
    test(`a bad scenario file is invalid input before any agent starts (${inProcess ? "in-process" : "stdio"})`, async (t) => {
      const dir = tempDir(t);
      const scenario = writeScenario(
        dir,
        `[[attempts]]\nsteps = [\n  { say = "ok" },\n  { wrte = "x" },\n]\n`,
      );
      const driver = createAgentDriver(
        { name: "s", driver: "scripted", scenario, inProcess },
        { scriptedAgentCommand: SCRIPTED_AGENT_COMMAND },
      );
      await assert.rejects(driver.startSession(recordingContext(dir).context), {
        code: "invalid-input",
        message: new RegExp(`^${scenario}:4: attempt 1, step 2: unknown step "wrte"`),
      });
    });
  }

  test("an acp preset's env reaches the agent process", async (t) => {
    const dir = tempDir(t);
    const scenario = writeScenario(
      dir,
      `[[attempts]]\nsteps = [{ shell = "echo $PRESET_VAR > preset.txt" }]\n`,
    );
    const driver = createAgentDriver({
      name: "a",
      driver: "acp",
      command: [...SCRIPTED_AGENT_COMMAND, "--scenario", scenario],
      env: { PRESET_VAR: "from the preset" },
      passEnv: [],
      hosts: [],
    });
    const session = await driver.startSession(recordingContext(dir).context);
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "" })).stopReason, "end_turn");
    assert.equal(readFileSync(join(dir, "preset.txt"), "utf8"), "from the preset\n");
  });
});
