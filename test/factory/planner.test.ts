import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FactoryConfig, parseConfig } from "../../src/config/index.ts";
import type { SupervisorAction } from "../../src/factory/plan-actions.ts";
import { type ChildExit, planExit } from "../../src/factory/plan-exit.ts";
import { initialState, type PlanState } from "../../src/factory/plan-state.ts";
import {
  beginShutdown,
  childStarted,
  planTick,
  releaseOwnClaims,
  type TickFacts,
  VAULT_TICK_MS,
  wantsBacklog,
  watchedItems,
} from "../../src/factory/planner.ts";
import type { RunFailure } from "../../src/factory/retry.ts";
import type { Backlog, BacklogEntry } from "../../src/factory/scheduler.ts";
import type { RunActivity } from "../../src/factory/stall.ts";
import type { Claim, Item, Run, RunState } from "../../src/store/index.ts";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const TOKEN = "host:100:7";

const SETTINGS = `
[factory]
max_concurrency = 4
restart_budget = 2
restart_backoff = "1s"
stall_activity = "1m"
stall_progress = "10m"
`;

const BUILDER_AND_REVIEWER = `
[roles.builder]
concurrency = 2
policy = "heal+stall"

[roles.reviewer]
policy = "heal"
`;

function factory(roles: string, settings = ""): FactoryConfig {
  const text = SETTINGS.replace("[factory]\n", `[factory]\n${settings}\n`) + roles;
  return parseConfig(text, "/p/gaffer.toml", "/p", {}).factory;
}

function fresh(roles = BUILDER_AND_REVIEWER, settings = ""): PlanState {
  return initialState(factory(roles, settings), TOKEN, T0);
}

function item(id: number, labels: string[] = []): Item {
  return {
    id,
    title: `item ${id}`,
    body: "",
    labels,
    priority: 0,
    dependsOn: [],
    state: "open",
    source: null,
    createdAt: T0,
    updatedAt: T0,
  };
}

function run(itemId: number, state: RunState, changes: Partial<Run> = {}): Run {
  return {
    id: itemId * 10,
    itemId: itemId,
    state,
    agent: "scripted",
    branch: `gaffer/${itemId}`,
    baseBranch: "main",
    baseCommit: "0".repeat(40),
    workspace: "",
    attempt: 1,
    maxFixAttempts: 2,
    owner: null,
    reason: null,
    reportPath: null,
    sandbox: "off",
    role: "builder",
    createdAt: T0,
    updatedAt: T0,
    endedAt: null,
    ...changes,
  };
}

function entry(id: number, latest?: Run, failure?: RunFailure, labels?: string[]): BacklogEntry {
  return { item: item(id, labels), latest, ...(failure && { failure }) };
}

function backlog(changes: Partial<Backlog> = {}): Backlog {
  return { unclaimed: [], awaitingReview: [], pendingReviews: 0, ...changes };
}

function facts(changes: Partial<TickFacts> = {}): TickFacts {
  return {
    claims: [],
    paused: false,
    backlog: backlog(),
    activity: new Map(),
    backendPauses: [],
    ...changes,
  };
}

function claim(itemId: number, holder: string, changes: Partial<Claim> = {}): Claim {
  return {
    itemId,
    role: "builder",
    duty: "build",
    runId: null,
    holder,
    heartbeatAt: T0,
    expiresAt: T0 + 120_000,
    ...changes,
  };
}

type Start = Extract<SupervisorAction, { kind: "start-worker" }>;

const starts = (actions: SupervisorAction[]) => actions.filter((a): a is Start => a.kind === "start-worker");
/** The events among the actions, each as its type and data in one object. */
const recorded = (actions: SupervisorAction[]): Record<string, unknown>[] =>
  actions.flatMap((a) => (a.kind === "record" ? [{ type: a.type, ...a.data }] : []));
const types = (actions: SupervisorAction[]) => actions.flatMap((a) => (a.kind === "record" ? [a.type] : []));

/** The state once every start action's process runs (a task role's new item gets `newItem`). */
function running(state: PlanState, actions: SupervisorAction[], now: number, newItem = 900): PlanState {
  let s = state;
  for (const action of starts(actions)) {
    const { name, role, duty, holder } = action;
    s = childStarted(s, { name, role, duty, holder, itemId: action.itemId ?? newItem }, now);
  }
  return s;
}

function exit(name: string, changes: Partial<ChildExit> = {}): ChildExit {
  return { name, code: 0, signal: null, lastLine: "", runFailure: undefined, claims: [], ...changes };
}

/** One build of `itemId` by the builder, running since `now`. */
function building(itemId: number, now = T0, state = fresh()): PlanState {
  const plan = planTick(state, facts({ backlog: backlog({ unclaimed: [entry(itemId)] }) }), now);
  return running(plan.state, plan.actions, now);
}

describe("factory/planner", () => {
  it("never changes the state it is given", () => {
    const state = building(1);
    const before = structuredClone(state);
    planTick(state, facts({ backlog: backlog({ unclaimed: [entry(2), entry(3)] }) }), T0 + 120_000);
    planExit(state, exit("p-builder.1", { signal: "SIGKILL", code: null }), T0 + 1);
    childStarted(
      state,
      { name: "x", role: state.factory.roles[0]!, duty: "build", itemId: 9, holder: "h" },
      T0,
    );
    assert.deepEqual(state, before);
  });

  describe("dispatch", () => {
    it("starts builds for ready items up to the role's concurrency, each with its own process and claim", () => {
      const state = fresh();
      const plan = planTick(
        state,
        facts({ backlog: backlog({ unclaimed: [entry(1), entry(2), entry(3)] }) }),
        T0,
      );
      const started = starts(plan.actions);
      assert.deepEqual(
        started.map((s) => [s.role.name, s.duty, s.itemId, s.name]),
        [
          ["builder", "build", 1, "p-builder.1"],
          ["builder", "build", 2, "p-builder.2"],
        ],
      );
      assert.deepEqual(
        started.map((s) => s.holder),
        [`${TOKEN}/p-builder.1/1`, `${TOKEN}/p-builder.2/2`],
      );
      // Running, they fill the role: the third item waits.
      const busy = running(plan.state, plan.actions, T0);
      assert.deepEqual(
        starts(planTick(busy, facts({ backlog: backlog({ unclaimed: [entry(3)] }) }), T0 + 500).actions),
        [],
      );
    });

    it("keeps to the overall cap and to each agent's cap", () => {
      const roles = `[roles.a]\nconcurrency = 3\n\n[roles.b]\nconcurrency = 3\nagent = "codex"\n`;
      const ready = backlog({ unclaimed: [1, 2, 3, 4, 5, 6].map((id) => entry(id)) });
      const overall = planTick(fresh(roles), facts({ backlog: ready }), T0);
      assert.deepEqual(
        starts(overall.actions).map((s) => s.role.name),
        ["a", "a", "a", "b"],
      );
      const perAgent = planTick(
        fresh(roles, "agent_concurrency = { codex = 1 }"),
        facts({ backlog: ready }),
        T0,
      );
      assert.equal(starts(perAgent.actions).filter((s) => s.role.name === "b").length, 1);
      const full = running(overall.state, overall.actions, T0);
      assert.equal(wantsBacklog(full, false), false, "at the cap, the backlog is not even read");
    });

    it("leaves alone an item held back, one still being worked, and one whose restart is not due", () => {
      const state = building(1);
      const ready = backlog({ unclaimed: [entry(1, run(1, "cancelled")), entry(2)] });
      const plan = planTick(state, facts({ backlog: ready }), T0 + 500);
      assert.deepEqual(
        starts(plan.actions).map((s) => s.itemId),
        [2],
        "item 1's process released its claim but has not exited yet",
      );
      const held = planExit(
        building(3),
        exit("p-builder.1", { code: 65, lastLine: "gaffer: bad scenario" }),
        T0,
      );
      assert.deepEqual(recorded(held.actions).at(-1), {
        type: "item.held",
        role: "builder",
        item: 3,
        code: 65,
        error: "gaffer: bad scenario",
      });
      const again = planTick(held.state, facts({ backlog: backlog({ unclaimed: [entry(3)] }) }), T0 + 500);
      assert.deepEqual(starts(again.actions), []);
    });

    it("gives reviewing roles the proposals awaiting review, oldest first", () => {
      const awaiting = [run(4, "proposed"), run(5, "proposed")];
      const plan = planTick(fresh(), facts({ backlog: backlog({ awaitingReview: awaiting }) }), T0);
      assert.deepEqual(
        starts(plan.actions).map((s) => [s.role.name, s.duty, s.itemId, s.runId, s.name]),
        [["reviewer", "review", 4, 40, "p-reviewer"]],
      );
    });

    it("holds new items back under backpressure, but resumes and revisions go on", () => {
      const state = fresh(BUILDER_AND_REVIEWER, "max_pending_review = 1");
      const ready = backlog({
        unclaimed: [entry(1), entry(2, run(2, "revising")), entry(3, run(3, "interrupted"))],
        pendingReviews: 1,
      });
      assert.deepEqual(
        starts(planTick(state, facts({ backlog: ready }), T0).actions).map((s) => s.itemId),
        [2, 3],
      );
      const calm = { ...ready, pendingReviews: 0 };
      assert.deepEqual(
        starts(planTick(state, facts({ backlog: calm }), T0).actions).map((s) => s.itemId),
        [1, 2],
      );
    });
  });

  describe("pause", () => {
    it("starts nothing, says once how much ready work it holds back, and starts it on resume", () => {
      const ready = backlog({ unclaimed: [entry(1), entry(2)], awaitingReview: [run(3, "proposed")] });
      const first = planTick(fresh(), facts({ paused: true, backlog: ready }), T0);
      assert.deepEqual(starts(first.actions), []);
      assert.deepEqual(recorded(first.actions), [{ type: "supervisor.paused", held: 3 }]);
      assert.equal(wantsBacklog(first.state, true), false, "said once: the backlog is not read again");
      const second = planTick(first.state, facts({ paused: true, backlog: undefined }), T0 + 500);
      assert.deepEqual(second.actions, []);
      const resumed = planTick(second.state, facts({ backlog: ready }), T0 + 1000);
      assert.deepEqual(
        starts(resumed.actions).map((s) => s.itemId),
        [1, 2, 3],
      );
      const again = planTick(
        running(resumed.state, resumed.actions, T0 + 1000),
        facts({ paused: true }),
        T0 + 1500,
      );
      assert.deepEqual(types(again.actions), [], "nothing ready: nothing to say");
      const later = planTick(
        again.state,
        facts({ paused: true, backlog: backlog({ unclaimed: [entry(4)] }) }),
        T0 + 2000,
      );
      assert.deepEqual(
        recorded(later.actions),
        [{ type: "supervisor.paused", held: 1 }],
        "a new pause says it again",
      );
    });
  });

  describe("plan limits", () => {
    const roles = `[roles.builder]\nconcurrency = 2\n\n[roles.codex-builder]\nagent = "codex"\n\n[roles.assistant]\nkind = "persistent"\n`;
    const limit = { host: "api.anthropic.com", until: T0 + 60_000, agents: ["scripted"], run: 10 };

    it("holds back the roles whose agent's model host is at its plan limit until the reset, and says so once", () => {
      const ready = backlog({ unclaimed: [entry(1), entry(2), entry(3)] });
      const first = planTick(fresh(roles), facts({ backlog: ready, backendPauses: [limit] }), T0);
      assert.deepEqual(
        starts(first.actions).map((s) => [s.role.name, s.itemId]),
        [["codex-builder", 1]],
        "only the role of another agent works",
      );
      assert.ok(
        !first.actions.some((a) => a.kind === "start-persistent"),
        "a held persistent role waits too",
      );
      assert.deepEqual(recorded(first.actions), [{ type: "supervisor.backend-paused", ...limit }]);
      const second = planTick(first.state, facts({ backlog: ready, backendPauses: [limit] }), T0 + 500);
      assert.deepEqual(recorded(second.actions), [], "said once");
      const reset = planTick(second.state, facts({ backlog: ready, backendPauses: [limit] }), T0 + 60_000);
      assert.deepEqual(
        starts(reset.actions).map((s) => [s.role.name, s.itemId]),
        [
          ["builder", 1],
          ["builder", 2],
          ["codex-builder", 3],
        ],
      );
      assert.ok(reset.actions.some((a) => a.kind === "start-persistent"));
    });
  });

  describe("schedules", () => {
    it("runs a task once per start, on an item of its own when nothing is ready for it", () => {
      const state = fresh(`[roles.gardener]\nkind = "task"\n`);
      const plan = planTick(state, facts(), T0);
      assert.deepEqual(
        starts(plan.actions).map((s) => [s.role.name, s.itemId]),
        [["gardener", undefined]],
      );
      const done = planExit(running(plan.state, plan.actions, T0), exit("p-gardener"), T0 + 1000).state;
      assert.deepEqual(starts(planTick(done, facts(), T0 + 2000).actions), []);
    });

    it("starts a scheduled role once per cron tick", () => {
      const state = fresh(`[roles.report]\nschedule = "*/5 * * * *"\n`);
      const fire = state.health.get("report")?.nextFire as number;
      assert.ok(fire > T0 && fire <= T0 + 5 * 60_000, "the next five-minute mark");
      assert.deepEqual(starts(planTick(state, facts(), fire - 1).actions), []);
      assert.deepEqual(types(planTick(state, facts(), fire - 1).actions), []);
      const fired = planTick(state, facts(), fire);
      assert.deepEqual(recorded(fired.actions), [
        { type: "role.scheduled", role: "report", next: fire + 5 * 60_000 },
      ]);
      assert.deepEqual(
        starts(fired.actions).map((s) => s.role.name),
        ["report"],
      );
      const ran = planExit(running(fired.state, fired.actions, fire), exit("p-report"), fire + 1000).state;
      assert.deepEqual(starts(planTick(ran, facts(), fire + 2000).actions), [], "one run per tick");
      assert.equal(starts(planTick(ran, facts(), fire + 5 * 60_000).actions).length, 1);
    });
  });

  describe("heal", () => {
    it("restarts a dead builder's item with a doubling backoff, then gives the role up past its budget", () => {
      let state = building(1);
      const died = planExit(state, exit("p-builder.1", { code: null, signal: "SIGKILL" }), T0 + 10_000);
      assert.deepEqual(
        died.actions.map((a) => a.kind),
        ["record", "recover-runs", "release-claim", "record"],
      );
      assert.deepEqual(died.actions[2], {
        kind: "release-claim",
        itemId: 1,
        holder: `${TOKEN}/p-builder.1/1`,
        reason: "its process died",
      });
      assert.deepEqual(recorded(died.actions)[1], {
        type: "role.healing",
        role: "builder",
        process: "p-builder.1",
        restart: 1,
        delayMs: 1000,
        item: 1,
      });
      const ready = facts({ backlog: backlog({ unclaimed: [entry(1, run(1, "interrupted"))] }) });
      assert.deepEqual(starts(planTick(died.state, ready, T0 + 10_999).actions), [], "backing off");
      const healed = planTick(died.state, ready, T0 + 11_000);
      assert.deepEqual(
        starts(healed.actions).map((s) => s.itemId),
        [1],
      );
      state = running(healed.state, healed.actions, T0 + 11_000);
      const second = planExit(state, exit("p-builder.1", { code: 70 }), T0 + 20_000);
      assert.equal(recorded(second.actions)[1]?.delayMs, 2000, "the backoff doubles");
      const retick = planTick(second.state, ready, T0 + 22_000);
      state = running(retick.state, retick.actions, T0 + 22_000);
      const third = planExit(state, exit("p-builder.1", { code: null, signal: "SIGSEGV" }), T0 + 30_000);
      assert.deepEqual(recorded(third.actions).at(-1), {
        type: "role.gave-up",
        role: "builder",
        restarts: 2,
      });
      assert.deepEqual(
        starts(planTick(third.state, ready, T0 + 600_000).actions),
        [],
        "given up until the next start",
      );
    });

    it("counts one restart for a worker's death, however many of the role's tasks it ended", () => {
      const both = planTick(fresh(), facts({ backlog: backlog({ unclaimed: [entry(1), entry(2)] }) }), T0);
      const state = running(both.state, both.actions, T0);
      const [first, second] = starts(both.actions).map((start) => start.name);
      assert.ok(first && second && first !== second);
      const crash = { code: null, signal: "SIGKILL", incident: "@worker.1 (pid 4242) ended" } as const;
      const one = planExit(state, exit(first, crash), T0 + 10_000);
      const two = planExit(one.state, exit(second, crash), T0 + 10_001);
      assert.equal(two.state.health.get("builder")?.restarts, 1);
      assert.deepEqual(
        [...recorded(one.actions), ...recorded(two.actions)]
          .filter((e) => e.type === "role.healing")
          .map((e) => [e.item, e.restart, e.delayMs]),
        [
          [1, 1, 1000],
          [2, 1, 1000],
        ],
      );
      assert.deepEqual(
        two.actions.filter((a) => a.kind === "release-claim").map((a) => a.itemId),
        [2],
        "each task's claim is given back",
      );
      assert.equal(two.state.health.get("builder")?.notBefore, T0 + 11_000, "one backoff, from the death");
    });

    it("starts the budget and the backoff over once a build of the role ends well", () => {
      const died = planExit(building(1), exit("p-builder.1", { code: null, signal: "SIGKILL" }), T0 + 10_000);
      assert.equal(died.state.health.get("builder")?.restarts, 1);
      const healed = planTick(
        died.state,
        facts({ backlog: backlog({ unclaimed: [entry(1, run(1, "interrupted"))] }) }),
        T0 + 11_000,
      );
      const state = running(healed.state, healed.actions, T0 + 11_000);
      const done = planExit(state, exit("p-builder.1", { code: 0 }), T0 + 20_000);
      assert.equal(done.state.health.get("builder")?.restarts, 0);
    });

    it("lets a role without a heal policy die: its claim lapses, a service of it stays down", () => {
      const roles = `[roles.builder]\n\n[roles.janitor]\nkind = "service"\ncommand = "sleep 600"\npolicy = "none"\n`;
      const up = planTick(fresh(roles), facts(), T0);
      assert.deepEqual(
        up.actions.filter((a) => a.kind === "start-service"),
        [{ kind: "start-service", role: up.state.factory.roles[1], name: "p-janitor", command: "sleep 600" }],
      );
      let state = childStarted(
        up.state,
        {
          name: "p-janitor",
          role: up.state.factory.roles[1]!,
          duty: "service",
          itemId: undefined,
          holder: undefined,
        },
        T0,
      );
      state = building(1, T0, state);
      const build = planExit(state, exit("p-builder", { code: null, signal: "SIGKILL" }), T0 + 1000);
      assert.deepEqual(recorded(build.actions).at(-1), {
        type: "role.died",
        role: "builder",
        process: "p-builder",
        healed: false,
      });
      assert.ok(!build.actions.some((a) => a.kind === "release-claim"));
      const service = planExit(build.state, exit("p-janitor", { code: 1 }), T0 + 2000);
      assert.equal(types(service.actions).at(-1), "role.died");
      assert.ok(
        !planTick(service.state, facts(), T0 + 60_000).actions.some((a) => a.kind === "start-service"),
      );
    });

    it("keeps a persistent role and a service alive, and skips a service with nothing to run", () => {
      const roles = `[roles.orchestrator]\nkind = "persistent"\npolicy = "heal"\n\n[roles.watchdog]\nkind = "service"\n`;
      const plan = planTick(fresh(roles, "tmux = true"), facts(), T0);
      assert.deepEqual(
        plan.actions
          .filter((a) => a.kind !== "settle-vault")
          .map((a) => (a.kind === "record" ? a.type : a.kind)),
        ["open-view", "start-persistent", "role.skipped"],
      );
      assert.deepEqual(plan.actions[1], {
        kind: "start-persistent",
        role: plan.state.factory.roles[0],
        name: "p-orchestrator",
        holder: `${TOKEN}/p-orchestrator`,
      });
      assert.ok(plan.state.stopped.has("watchdog"));
      // Its process died holding an item: the item goes back, and the role comes back after its backoff.
      const orchestrator = plan.state.factory.roles[0]!;
      const alive = childStarted(
        plan.state,
        {
          name: "p-orchestrator",
          role: orchestrator,
          duty: "persistent",
          itemId: undefined,
          holder: undefined,
        },
        T0,
      );
      const held = claim(7, `${TOKEN}/p-orchestrator/3`, { role: "orchestrator" });
      const died = planExit(
        alive,
        exit("p-orchestrator", { code: null, signal: "SIGKILL", claims: [held, claim(8, "elsewhere")] }),
        T0 + 1000,
      );
      assert.deepEqual(
        died.actions
          .filter((a) => a.kind === "release-claim")
          .map((a) => a.kind === "release-claim" && a.itemId),
        [7],
      );
      assert.ok(!planTick(died.state, facts(), T0 + 1999).actions.some((a) => a.kind === "start-persistent"));
      assert.ok(planTick(died.state, facts(), T0 + 2000).actions.some((a) => a.kind === "start-persistent"));
    });

    it("lets a clean exit be, and a shutdown's exits too", () => {
      const state = building(1);
      assert.deepEqual(types(planExit(state, exit("p-builder.1", { code: 0 }), T0).actions), ["role.exited"]);
      assert.deepEqual(types(planExit(state, exit("p-builder.1", { code: 130 }), T0).actions), [
        "role.exited",
      ]);
      const stopping = beginShutdown(state);
      assert.deepEqual(
        planTick(stopping, facts({ backlog: backlog({ unclaimed: [entry(2)] }) }), T0).actions,
        [],
      );
      const killed = planExit(stopping, exit("p-builder.1", { code: null, signal: "SIGKILL" }), T0);
      assert.deepEqual(types(killed.actions), ["role.exited"]);
      assert.deepEqual(killed.state.children, []);
    });
  });

  describe("stalls", () => {
    const quiet: RunActivity = { activityAt: T0, progressAt: T0, agentWorking: true };
    const activity = (a: RunActivity = quiet) => new Map([[1, a]]);

    it("nudges a quiet agent, then restarts its run, then gives it up, each a full period after the last", () => {
      let state = building(1);
      assert.deepEqual(watchedItems(state, []), [1]);
      assert.deepEqual(
        planTick(state, facts({ activity: activity() }), T0 + 59_999).actions.filter(
          (a) => a.kind !== "settle-vault",
        ),
        [],
      );
      const nudge = planTick(state, facts({ activity: activity() }), T0 + 60_000);
      assert.deepEqual(
        nudge.actions.filter((a) => a.kind !== "settle-vault" && a.kind !== "start-worker"),
        [
          {
            kind: "record",
            type: "stall.nudged",
            data: { role: "builder", process: "p-builder.1", item: 1, reason: "no agent activity for 60s" },
          },
          { kind: "nudge", name: "p-builder.1" },
        ],
      );
      state = nudge.state;
      assert.ok(
        !planTick(state, facts({ activity: activity() }), T0 + 119_999).actions.some(
          (a) => a.kind === "stop-child",
        ),
      );
      const restart = planTick(state, facts({ activity: activity() }), T0 + 120_000);
      assert.deepEqual(types(restart.actions), ["stall.restarted"]);
      assert.ok(restart.actions.some((a) => a.kind === "stop-child" && a.name === "p-builder.1"));
      assert.deepEqual(watchedItems(restart.state, []), [], "a process being stopped is not watched");
      const restarted = planExit(restart.state, exit("p-builder.1", { code: 130 }), T0 + 121_000);
      assert.deepEqual(types(restarted.actions), ["role.exited"]);
      // The run resumes at once in a new process, carrying its stall stage.
      const resumed = planTick(
        restarted.state,
        facts({ backlog: backlog({ unclaimed: [entry(1, run(1, "cancelled"))] }) }),
        T0 + 121_500,
      );
      state = running(resumed.state, resumed.actions, T0 + 121_500);
      assert.deepEqual(state.children[0]?.stall, { stage: 2, actedAt: T0 + 121_500 });
      const giveUp = planTick(state, facts({ activity: activity() }), T0 + 181_500);
      assert.deepEqual(types(giveUp.actions), ["stall.gave-up"]);
      const ended = planExit(giveUp.state, exit("p-builder.1", { code: 130 }), T0 + 182_000);
      assert.deepEqual(ended.actions.at(-1), {
        kind: "give-up-run",
        itemId: 1,
        reason: "stall: no agent activity for 60s",
      });
    });

    it("counts progress, not chatter, and quiet only while the agent is at work", () => {
      const state = building(1);
      const chatty = { activityAt: T0 + 590_000, progressAt: T0, agentWorking: true };
      assert.deepEqual(
        types(planTick(state, facts({ activity: activity(chatty) }), T0 + 599_999).actions),
        [],
      );
      assert.deepEqual(types(planTick(state, facts({ activity: activity(chatty) }), T0 + 600_000).actions), [
        "stall.nudged",
      ]);
      const gating = { ...quiet, agentWorking: false };
      assert.deepEqual(
        types(planTick(state, facts({ activity: activity(gating) }), T0 + 300_000).actions),
        [],
      );
    });

    it("follows the item a persistent role holds now", () => {
      const roles = `[roles.orchestrator]\nkind = "persistent"\npolicy = "stall"\n`;
      const up = planTick(fresh(roles), facts(), T0);
      const state = childStarted(
        up.state,
        {
          name: "p-orchestrator",
          role: up.state.factory.roles[0]!,
          duty: "persistent",
          itemId: undefined,
          holder: undefined,
        },
        T0,
      );
      const claims = [claim(5, `${TOKEN}/p-orchestrator/1`, { role: "orchestrator" })];
      assert.deepEqual(watchedItems(state, claims), [5]);
      const follow = planTick(state, facts({ claims, activity: new Map([[5, quiet]]) }), T0 + 10_000);
      assert.deepEqual(follow.state.children[0]?.itemId, 5);
      assert.deepEqual(follow.state.children[0]?.stall, { stage: 0, actedAt: T0 + 10_000 });
      const nudge = planTick(follow.state, facts({ claims, activity: new Map([[5, quiet]]) }), T0 + 70_000);
      assert.deepEqual(types(nudge.actions), ["stall.nudged"]);
    });
  });

  describe("leases", () => {
    it("returns lapsed claims to the queue and marks their runs interrupted", () => {
      const claims = [claim(1, "a", { expiresAt: T0 }), claim(2, "b", { expiresAt: T0 + 1 })];
      const plan = planTick(fresh(), facts({ claims }), T0);
      assert.deepEqual(plan.actions.slice(0, 2), [{ kind: "expire-claims" }, { kind: "recover-runs" }]);
      assert.ok(
        !planTick(fresh(), facts({ claims: claims.slice(1) }), T0).actions.some(
          (a) => a.kind === "expire-claims",
        ),
      );
    });

    it("at the end, gives back its own claims only", () => {
      const own = claim(1, `${TOKEN}/p-builder.1/1`);
      const actions = releaseOwnClaims(fresh(), [own, claim(2, "host:5:5/run")]);
      assert.deepEqual(actions, [
        { kind: "release-claim", itemId: 1, holder: own.holder, reason: "the factory went down" },
      ]);
    });
  });

  describe("retries of runs the machine failed", () => {
    const failed = (retries: number, cause: "infrastructure" | "agent" = "infrastructure") =>
      entry(1, run(1, "failed", { endedAt: T0, reason: "ENOSPC: no space left on device" }), {
        cause,
        retries,
      });

    it("dispatches the run again after the backoff, recording each retry, within the budget", () => {
      const early = planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(0)] }) }), T0 + 999);
      assert.deepEqual(starts(early.actions), []);
      const first = planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(0)] }) }), T0 + 1000);
      assert.deepEqual(recorded(first.actions), [
        {
          type: "item.retrying",
          role: "builder",
          item: 1,
          run: 10,
          retry: 1,
          of: 2,
          reason: "ENOSPC: no space left on device",
        },
      ]);
      assert.deepEqual(
        starts(first.actions).map((s) => s.itemId),
        [1],
      );
      assert.deepEqual(
        starts(planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(1)] }) }), T0 + 1999).actions),
        [],
        "the backoff doubles",
      );
      assert.equal(
        starts(planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(1)] }) }), T0 + 2000).actions)
          .length,
        1,
      );
      assert.deepEqual(
        starts(
          planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(2)] }) }), T0 + 600_000).actions,
        ),
        [],
        "the budget is spent",
      );
    });

    it("never retries a run the agent failed, nor with a budget of 0", () => {
      assert.deepEqual(
        starts(
          planTick(fresh(), facts({ backlog: backlog({ unclaimed: [failed(0, "agent")] }) }), T0 + 600_000)
            .actions,
        ),
        [],
      );
      const none = fresh(BUILDER_AND_REVIEWER, "infra_retries = 0");
      assert.deepEqual(
        starts(planTick(none, facts({ backlog: backlog({ unclaimed: [failed(0)] }) }), T0 + 600_000).actions),
        [],
      );
    });

    it("does not count a worker whose run the machine failed as a dead role, nor hold its item", () => {
      const state = building(1);
      const ended = planExit(
        state,
        exit("p-builder.1", { code: 70, runFailure: "infrastructure" }),
        T0 + 5000,
      );
      assert.deepEqual(types(ended.actions), ["role.exited"]);
      assert.equal(ended.state.health.get("builder")?.restarts, 0);
      assert.ok(!ended.state.held.has(1));
      const agentFailed = planExit(state, exit("p-builder.1", { code: 1, runFailure: "agent" }), T0 + 5000);
      assert.deepEqual(types(agentFailed.actions), ["role.exited", "item.held"]);
    });
  });

  it("settles the vault every few seconds", () => {
    const first = planTick(fresh(), facts(), T0);
    assert.ok(first.actions.some((a) => a.kind === "settle-vault"));
    assert.ok(
      !planTick(first.state, facts(), T0 + VAULT_TICK_MS - 1).actions.some((a) => a.kind === "settle-vault"),
    );
    assert.ok(
      planTick(first.state, facts(), T0 + VAULT_TICK_MS).actions.some((a) => a.kind === "settle-vault"),
    );
  });
});
