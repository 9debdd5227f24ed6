import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AgentUpdateSink } from "../../src/engine/agent-updates.ts";
import { OutputMeter } from "../../src/engine/output-meter.ts";
import { RunRecorder } from "../../src/engine/recorder.ts";
import { addItem, BUILDER_UPDATE_EVENTS, listEvents, openStore } from "../../src/store/index.ts";
import { createTestRun } from "../helpers/store.ts";
import { tempDir } from "../helpers/tmp.ts";

async function recorded(t: TestContext) {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  const item = await addItem(store.db, { title: "talk", body: "" });
  const run = await createTestRun(store.db, item.id);
  const recorder = new RunRecorder(store.db, { id: run.id, itemId: item.id });
  const events = async () => {
    await recorder.flush();
    return (await listEvents(store.db, { runId: run.id })).filter((e) => e.type.startsWith("agent."));
  };
  return { recorder, events };
}

describe("engine/output-meter and the update sink", () => {
  it("refuses the bytes that go past the limit, and everything after, telling once", () => {
    const told: number[] = [];
    const meter = new OutputMeter(10, (used) => told.push(used));
    assert.equal(meter.take(6), true);
    assert.equal(meter.take(4), true);
    assert.equal(meter.take(1), false);
    assert.equal(meter.take(1), false);
    assert.deepEqual(told, [11]);
    assert.equal(meter.used, 12);
  });

  it("stores a long stream in pieces of at most 64 KB", async (t) => {
    const { recorder, events } = await recorded(t);
    const sink = new AgentUpdateSink(recorder, new OutputMeter(1024 ** 2, () => {}), BUILDER_UPDATE_EVENTS, {
      attempt: 1,
    });
    for (let i = 0; i < 100; i++) sink.push({ kind: "message", text: "z".repeat(1024) });
    sink.flush();
    const sizes = (await events()).map((e) => String(dataOf(e).text).length);
    assert.deepEqual(sizes, [64 * 1024, 36 * 1024]);
  });

  it("stores what the agent said once it pauses, without waiting for the turn to end", async (t) => {
    const { recorder, events } = await recorded(t);
    const sink = new AgentUpdateSink(recorder, new OutputMeter(1024, () => {}), BUILDER_UPDATE_EVENTS, {
      attempt: 1,
    });
    sink.push({ kind: "message", text: "thinking " });
    sink.push({ kind: "message", text: "aloud" });
    for (const deadline = Date.now() + 10_000; (await events()).length === 0; await sleep(50)) {
      assert.ok(Date.now() < deadline, "the message was never stored");
    }
    assert.deepEqual(
      (await events()).map((e) => [e.type, dataOf(e).text]),
      [["agent.message", "thinking aloud"]],
    );
  });
});
