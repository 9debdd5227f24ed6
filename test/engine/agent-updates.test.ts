import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem, listEvents } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

const says = (texts: string[]) => texts.map((text) => `{ say = ${JSON.stringify(text)} }`);

describe("engine: the agent's updates on their way to the store", () => {
  it("joins an answer's fragments into one event, stored before the next tool call", async (t) => {
    const project = await inProcessProject(t);
    const steps = [
      ...says(["I will ", "fix the ", "sign."]),
      `{ think = "hm" }`,
      `{ edit = "src/calc.js", old = "return a - b;", new = "return a - b;" }`,
      ...says(["Done", "."]),
    ];
    const item = await addItem(
      project.store.db,
      scenarioItem("joined", `[[attempts]]\nsteps = [${steps.join(", ")}]`),
    );
    const { run } = await startRun(project, item.id, IN_PROCESS);
    const events = await listEvents(project.store.db, { runId: run.id });
    const spoken = events.filter((e) =>
      ["agent.message", "agent.thought", "agent.tool-call"].includes(e.type),
    );
    assert.deepEqual(
      spoken.map((e) => [e.type, dataOf(e).text ?? dataOf(e).title]),
      [
        ["agent.message", "I will fix the sign."],
        ["agent.thought", "hm"],
        ["agent.tool-call", "edit src/calc.js"],
        ["agent.message", "Done."],
      ],
    );
  });

  it("stops the run at the output limit and stores nothing past it", async (t) => {
    const project = await inProcessProject(t, '\n[limits]\noutput_bytes = "8KB"\n');
    const chunk = "x".repeat(1000);
    const steps = [...says(Array.from({ length: 40 }, () => chunk)), `{ stall = true }`];
    const item = await addItem(
      project.store.db,
      scenarioItem("chatty", `[[attempts]]\nsteps = [${steps.join(", ")}]`),
    );
    const { run } = await startRun(project, item.id, IN_PROCESS);
    assert.equal(run.state, "failed");
    assert.match(run.reason ?? "", /limit: the agent wrote more than 8192 bytes of output/);
    const events = await listEvents(project.store.db, { runId: run.id });
    const stored = events
      .filter((e) => e.type.startsWith("agent.") && e.type !== "agent.prompt")
      .reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)), 0);
    assert.ok(stored <= 8192 + 1024, `${stored} bytes of agent output stored`);
    assert.equal(events.filter((e) => e.type === "limit.exceeded").length, 1);
  });

  it("counts what the agent's commands print in gaffer's terminals", async (t) => {
    const project = await inProcessProject(t, '\n[limits]\noutput_bytes = "64KB"\n');
    const item = await addItem(
      project.store.db,
      scenarioItem(
        "noisy",
        `[[attempts]]\nsteps = [{ run = "head -c 10000000 /dev/zero" }, { stall = true }]`,
      ),
    );
    const { run } = await startRun(project, item.id, IN_PROCESS);
    assert.equal(run.state, "failed");
    assert.match(run.reason ?? "", /limit: the agent wrote more than 65536 bytes of output/);
  });
});
