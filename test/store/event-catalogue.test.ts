import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { RunRecorder } from "../../src/engine/index.ts";
import {
  ACTIVE_STATES,
  addItem,
  EVENT_DEFS,
  EVENTS,
  isSecurityEvent,
  listEvents,
  openStore,
  RUN_TRANSITIONS,
  type RunState,
  TERMINAL_STATES,
} from "../../src/store/index.ts";
import { createTestRun } from "../helpers/store.ts";
import { tempDir } from "../helpers/tmp.ts";

const SRC = resolve(import.meta.dirname, "..", "..", "src");
const CATALOGUE = join(SRC, "store", "event-catalogue.ts");

/**
 * The published event names. The feed is a public interface (logs --json, reports, the factory's
 * readers): renaming or removing one is a breaking change that must show here, on purpose.
 */
const PUBLISHED = [
  "item.created", "item.edited", "item.closed", "item.reopened", "item.held", "item.parked",
  "claim.taken", "claim.released", "claim.expired", "tracker.claimed",
  "tracker.delivery", "tracker.delivery-refused", "tracker.synced", "tracker.listening", "tracker.throttled",
  "tracker.pulls-watched", "forge.pull-event", "reaction.skipped", "reaction.escalated", "reaction.notified",
  "reaction.merge-requested", "reaction.answered", "reaction.pull-closed", "publish.requested",
  "run.created", "run.previous", "run.resumed", "workspace.created", "workspace.warm-discarded", "workspace.setup", "workspace.ready",
  "sandbox.unavailable", "guard.log-replaced", "guard.agent-rules", "attempt.started", "attempt.restarted",
  "agent.prompt", "agent.session-continued", "agent.nudged", "agent.error", "agent.done",
  "agent.message", "agent.thought", "agent.plan", "agent.tool-call", "agent.tool-call-update", "agent.usage",
  "agent.permission", "agent.file-write", "agent.file-read", "agent.file-denied", "agent.terminal",
  "agent.output", "agent.other", "guard.denied", "guard.noted", "sandbox.network-denied",
  "sandbox.model-keys", "sandbox.logins-unused", "model.rate-limited", "model.plan-limit", "model.usage-mismatch",
  "workspace.tampered", "limit.exceeded", "budget.exceeded",
  "gate.setup", "gate.started", "gate.step.started", "gate.step.finished", "gate.killed", "gate.outputs", "gate.passed",
  "gate.failed", "integrity.finding",
  "proposal.started", "proposal.committed", "proposal.recorded", "run.proposed", "run.failed", "run.gave-up",
  "run.cancelled", "run.interrupted", "run.discarded", "workspace.snapshot",
  "review.started", "review.invalid", "review.approved", "review.changes-requested", "run.revising",
  "run.reopened", "run.rebased",
  "review.workspace-removed", "review.agent.message", "review.agent.thought", "review.agent.plan",
  "review.agent.tool-call", "review.agent.tool-call-update", "review.agent.usage", "review.agent.permission",
  "review.agent.file-write", "review.agent.file-read", "review.agent.file-denied", "review.agent.terminal",
  "review.agent.output", "review.agent.other",
  "vault.merged", "publish.pushed", "publish.pull-opened", "publish.commented",
  "factory.paused", "factory.resumed", "phase.advanced", "phase.set",
  "supervisor.started", "supervisor.paused", "supervisor.backend-paused", "supervisor.stopped", "supervisor.error", "item.retrying",
  "role.started", "role.exited", "role.died", "role.healing", "role.gave-up", "role.scheduled", "role.skipped",
  "stall.nudged", "stall.restarted", "stall.gave-up",
  "track.started", "track.task-done", "track.checkpoint", "track.stopped", "track.completed",
  "token.created", "token.revoked", "dashboard.action",
]; // prettier-ignore

/** Evidence of a breach or a limit: never dropped. Weakening this list must be deliberate. */
const SECURITY = [
  "workspace.warm-discarded",
  "agent.file-denied",
  "guard.denied",
  "guard.noted",
  "sandbox.network-denied",
  "model.plan-limit",
  "workspace.tampered",
  "limit.exceeded",
  "budget.exceeded",
  "integrity.finding",
  "review.agent.file-denied",
];

/** Strings in src/ that are spelled like an event but mean something else. */
const NOT_EVENTS = new Set([
  'config/template.ts: "workspace.setup"', // the TOML table [[workspace.setup]]
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("store/event-catalogue", () => {
  it("publishes exactly the known event names, each once, each with a meaning", () => {
    const names = EVENT_DEFS.map((def) => def.name);
    assert.deepEqual([...names].sort(), [...PUBLISHED].sort());
    assert.equal(new Set(names).size, names.length, "no name is defined twice");
    for (const def of EVENT_DEFS) assert.ok(def.meaning.length > 10, `${def.name} says what it means`);
  });

  it("marks the security events, and only them", () => {
    assert.deepEqual(
      EVENT_DEFS.filter((def) => isSecurityEvent(def.name)).map((def) => def.name),
      SECURITY,
    );
  });

  it("is the only place in src/ that spells an event name", () => {
    const names = new Set<string>(EVENT_DEFS.map((def) => def.name));
    const families = new Set(EVENT_DEFS.map((def) => def.name.split(".")[0] as string));
    const offences: string[] = [];
    for (const file of sources(SRC)) {
      if (file === CATALOGUE) continue;
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(["'`])([a-z][a-z-]*(?:\.[a-z][a-z-]*)+)\1/g)) {
        const where = `${relative(SRC, file)}: ${match[0]}`;
        if (names.has(match[2] as string) && !NOT_EVENTS.has(where)) offences.push(where);
      }
      for (const match of text.matchAll(/`([a-z][a-z-]*)\.(?:[a-z.-]*)\$\{/g)) {
        if (families.has(match[1] as string))
          offences.push(`${relative(SRC, file)}: a name built as ${match[0]}…`);
      }
    }
    assert.deepEqual(offences, [], "use EVENTS.<key> (and EVENTS.<key>.name in a switch) instead");
  });

  it("writes the run's life once: every state reachable, every active state able to stop", () => {
    const transitions = Object.values(RUN_TRANSITIONS);
    const reachable = new Set<RunState>(["preparing"]);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of transitions)
        if (t.from.some((state) => reachable.has(state)) && !reachable.has(t.to)) {
          reachable.add(t.to);
          grew = true;
        }
    }
    const all: RunState[] = [...ACTIVE_STATES, "cancelled", "interrupted", "revising", ...TERMINAL_STATES];
    assert.deepEqual([...reachable].sort(), [...all].sort());
    for (const state of ACTIVE_STATES) {
      for (const stop of ["cancel", "interrupt", "fail"] as const)
        assert.ok(RUN_TRANSITIONS[stop].from.includes(state), `${state} can ${stop}`);
    }
    assert.ok(
      transitions.every((t) => !t.from.includes("discarded")),
      "discarded is the end",
    );
  });

  it("records a transition's event with the state it moved to, in the same write", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    t.after(() => store.close());
    const run = await createTestRun(store.db, (await addItem(store.db, { title: "x" })).id);
    const recorder = new RunRecorder(store.db, { id: run.id, itemId: run.itemId });
    await recorder.move(store.db, "cancel", { owner: "me", set: { owner: null }, data: { attempt: 0 } });
    const last = (await listEvents(store.db, { runId: run.id })).at(-1);
    assert.deepEqual(
      [last?.type, last?.data],
      [EVENTS.runCancelled.name, { state: "cancelled", attempt: 0 }],
    );
  });

  it("never drops a security event: a store that cannot take it stops the run, and flush says why", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    const run = await createTestRun(store.db, (await addItem(store.db, { title: "x" })).id);
    const stopped: string[] = [];
    const recorder = new RunRecorder(store.db, { id: run.id, itemId: run.itemId }, undefined, (error) =>
      stopped.push(error.message),
    );
    await store.close();
    recorder.enqueue(EVENTS.limitExceeded, { reason: "limit: the run took too long", elapsedMs: 1 });
    await assert.rejects(recorder.flush(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "store-unavailable");
      assert.match(error.message, /could not record limit\.exceeded/);
      return true;
    });
    assert.equal(stopped.length, 1, "the run was told to stop at once");
    assert.match(stopped[0] as string, /limit\.exceeded/);
  });

  it("does not let a lost ordinary event pass in silence either", async (t) => {
    const store = await openStore(join(tempDir(t), "gaffer.db"));
    const run = await createTestRun(store.db, (await addItem(store.db, { title: "x" })).id);
    const stopped: string[] = [];
    const recorder = new RunRecorder(store.db, { id: run.id, itemId: run.itemId }, undefined, (error) =>
      stopped.push(error.message),
    );
    await store.close();
    recorder.enqueue(EVENTS.gateStepStarted, { attempt: 1, name: "test" });
    await assert.rejects(recorder.flush(), /could not record gate\.step\.started/);
    assert.deepEqual(stopped, [], "only a security event stops the run at once");
  });
});
