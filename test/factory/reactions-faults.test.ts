import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { startForgeIntake } from "../../src/factory/index.ts";
import { type GafferEvent, listEvents, listFeedback } from "../../src/store/index.ts";
import type { FakeForge } from "../../src/demo/forge/index.ts";
import { getRun, reactionSetup } from "../helpers/reactions.ts";
import { waitFor } from "../helpers/wait.ts";

const MULTIPLY = `{ edit = "src/calc.js", old = "export function divide", new = "export function multiply(a, b) {\\n  return a * b;\\n}\\n\\nexport function divide" }`;

/** The first proposal, the CI fix, the review's fix. */
const SCENARIO = `
[[attempts]]
steps = [${MULTIPLY}]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply()\\n" }]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply(a, b): the product of a and b\\n" }]
`;

const SETTLE = fileURLToPath(new URL("./fixtures/settle-reactions.ts", import.meta.url));

/**
 * Arms a fault on the `n`-th API read from now (0: the very next one): `inject` runs as that read
 * is answered, so the fault (a run of 500s, a throttle) meets the reads after it. `hit` says
 * whether it fired; `disarm` makes a fault that did not fire harmless.
 */
function faultAt(forge: FakeForge, n: number, inject: () => void): { hit(): boolean; disarm(): void } {
  let armed = true;
  let fired = false;
  const fire = () => {
    if (!armed) return;
    fired = true;
    inject();
  };
  const arm = (left: number) =>
    forge.intercept("GET", /./, () => {
      if (!armed) return;
      if (left === 0) fire();
      else arm(left - 1);
    });
  if (n === 0) fire();
  else arm(n - 1);
  return { hit: () => fired, disarm: () => void (armed = false) };
}

const received = (events: GafferEvent[]) =>
  events.filter((e) => e.type === "forge.pull-event").map((e) => (e.data as { key: string }).key);

for (const kind of ["github", "gitea"] as const) {
  describe(`reactions on ${kind} when the forge fails`, () => {
    for (const fault of ["500s", "a rate limit past gaffer's wait"] as const) {
      it(`${fault} at each read of a pass in turn, then recovery: the check and the review are each received once and sent once`, async (t) => {
        const s = await reactionSetup(
          t,
          kind,
          "[reactions.ci-failed]\nretries = 1\n[reactions.changes-requested]\nretries = 1\n",
        );
        const db = s.project.store.db;
        const itemId = await s.item("Add multiply", SCENARIO);
        const run = await s.run(itemId);
        await s.watcher.settle();
        const pull = await s.pull(run.id);
        const forgePull = s.forgePull(pull.number);
        s.forge.ci(s.repo, pull.head, {
          name: "ci/test",
          state: "failure",
          summary: "1 test failed",
          logs: "TAP version 13\nnot ok 1 - multiply has no changelog\n",
        });
        s.forge.review(s.repo, forgePull, "reviewer", "Say what multiply does.", "CHANGES_REQUESTED", [
          { path: "src/calc.js", line: 13, body: "describe it in CHANGELOG.md" },
        ]);

        // The forge fails at the first read, then at the second, and so on, until a pass gets through.
        const inject = () =>
          fault === "500s"
            ? s.forge.fail(1000)
            : s.forge.throttle({ style: kind === "github" ? "secondary" : "429", count: 1, retryAfter: 60 });
        const failed: string[] = [];
        for (let n = 0; n < 60; n++) {
          const armed = faultAt(s.forge, n, inject);
          const outcome = await s.watcher.pass().then(
            () => undefined,
            (error: unknown) => error as Error,
          );
          armed.disarm();
          s.forge.fail(0);
          s.forge.throttle({ style: "429", count: 0, retryAfter: 0 });
          if (outcome) failed.push(outcome.message);
          else if (!armed.hit()) break;
        }
        const refused = s.forge.requests.filter((r) => r.status >= 403).map((r) => r.path);
        assert.ok(failed.length >= 3, `passes failed at ${failed.length} reads:\n${failed.join("\n")}`);
        for (const read of [/\/pulls(\?|$)/, /\/reviews/, kind === "github" ? /\/check-runs/ : /\/status/])
          assert.ok(
            refused.some((path) => read.test(path)),
            `no fault at ${read}: ${refused.join(", ")}`,
          );

        // Recovered: the failed check went to the agent once; the review waits, recorded once.
        assert.equal((await getRun(db, run.id)).state, "revising");
        const keys = received(await listEvents(db, { runId: run.id }));
        assert.equal(new Set(keys).size, keys.length, `received twice: ${keys.join(", ")}`);
        assert.deepEqual(
          (await listFeedback(db, run.id)).map((f) => `${f.kind}:${f.state}:${f.attempt}`).sort(),
          ["changes-requested:new:null", "ci-failed:sent:2"],
        );
        await s.resume(itemId);
        assert.match(s.brief(run.id, 2), kind === "github" ? /multiply has no changelog/ : /1 test failed/);

        // The fix is published; the review goes to the next attempt, once, and is answered once.
        await s.watcher.settle();
        s.forge.ci(s.repo, (await s.pull(run.id)).head, { name: "ci/test", state: "success" });
        await s.watcher.pass();
        assert.equal((await getRun(db, run.id)).state, "revising");
        await s.resume(itemId);
        assert.match(s.brief(run.id, 3), /@reviewer requested changes:\n {2}Say what multiply does\./);
        await s.watcher.pass();
        await s.watcher.pass();
        assert.deepEqual(
          (await listFeedback(db, run.id)).map((f) => `${f.kind}:${f.state}:${f.attempt}`).sort(),
          ["changes-requested:sent:3", "ci-failed:sent:2"],
        );
        assert.equal(forgePull.comments.filter((c) => c.body.startsWith("<!-- gaffer:answered:")).length, 1);
        const reopened = (await listEvents(db, { runId: run.id })).filter((e) => e.type === "run.reopened");
        assert.deepEqual(
          reopened.map((e) => (e.data as { reason: string }).reason),
          ["ci-failed", "changes-requested"],
        );
      });
    }

    it("waits out a rate limit with retry-after in the middle of a pass, and goes on", async (t) => {
      const s = await reactionSetup(t, kind, "[reactions.ci-failed]\nretries = 1\n");
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", SCENARIO);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      s.forge.ci(s.repo, pull.head, { name: "ci/test", state: "failure", summary: "1 test failed" });
      const before = s.forge.requests.length;
      // The read after the pull requests' listing is throttled for a second.
      const armed = faultAt(s.forge, 1, () =>
        s.forge.throttle({ style: kind === "github" ? "secondary" : "429", count: 1, retryAfter: 1 }),
      );
      await s.watcher.pass();
      assert.ok(armed.hit());
      const seen = s.forge.requests.slice(before);
      const throttled = seen.findIndex((r) => r.status === 429 || r.status === 403);
      assert.ok(throttled >= 0, "the forge throttled a read");
      assert.ok(
        seen.slice(throttled + 1).some((r) => r.path === seen[throttled]?.path && r.status === 200),
        "the same read was asked again and answered",
      );
      assert.equal((await getRun(db, run.id)).state, "revising");
      assert.deepEqual(
        (await listFeedback(db, run.id)).map((f) => `${f.kind}:${f.state}:${f.attempt}`),
        ["ci-failed:sent:2"],
      );
    });

    it("a review the forge stamps in the same second as gaffer's last read of the pull request is still read", async (t) => {
      const s = await reactionSetup(t, kind);
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", SCENARIO);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const forgePull = s.forgePull(pull.number);
      // The forge's clock says the next second; gaffer reads the pull request within it.
      const second = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      forgePull.updatedAt = second;
      await s.watcher.pass();
      s.forge.review(s.repo, forgePull, "reviewer", "Say what multiply does.", "CHANGES_REQUESTED");
      forgePull.updatedAt = second;
      await s.watcher.pass();
      assert.deepEqual(
        (await listFeedback(db, run.id)).map((f) => `${f.kind}:${f.state}`),
        ["changes-requested:sent"],
      );
      assert.equal((await getRun(db, run.id)).state, "revising");
    });

    it("a pull request's deliveries: each acted on once however often replayed; a wrongly signed one is refused and starts nothing", async (t) => {
      const secret = "a-webhook-secret-for-reactions";
      const s = await reactionSetup(t, kind, 'poll = "1h"\n[tracker.webhook]\nlisten = "127.0.0.1:0"\n');
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", SCENARIO);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const forgePull = s.forgePull(pull.number);

      const stop = new AbortController();
      const intake = await startForgeIntake(
        db,
        s.project.config.tracker as never,
        stop.signal,
        { ...process.env, GAFFER_WEBHOOK_SECRET: secret },
        { project: s.project },
      );
      try {
        const url = intake.receiver?.url as string;
        const events = async (type: string) => (await listEvents(db, {})).filter((e) => e.type === type);
        await waitFor(async () => (await events("tracker.synced")).length === 1, "the first pass");
        s.forge.addHook(s.repo, url, secret);

        // CI fails: its delivery re-opens the run at once.
        s.forge.ci(s.repo, pull.head, { name: "ci/test", state: "failure", summary: "1 test failed" });
        await waitFor(async () => (await getRun(db, run.id)).state === "revising", "the run to re-open");
        // A review while the run is busy: its delivery records it, and it waits.
        s.forge.review(s.repo, forgePull, "reviewer", "Say what multiply does.", "CHANGES_REQUESTED");
        await waitFor(
          async () => (await listFeedback(db, run.id)).some((f) => f.kind === "changes-requested"),
          "the review to be recorded",
        );
        await s.forge.settled();
        const delivered = s.forge.deliveries.filter((d) => d.status === 202);
        assert.ok(delivered.length >= 2, `deliveries: ${s.forge.deliveries.map((d) => d.status).join(", ")}`);

        // Every delivery replayed twice: answered and recorded as replays.
        for (const round of [1, 2])
          for (const delivery of delivered) {
            const replay = s.forge.redeliver(delivery.id);
            await s.forge.settled();
            assert.equal(replay.status, 200, `replay ${round} of ${delivery.event}`);
          }
        // A wrongly signed delivery of a pull request event is refused.
        const forged = s.forge.deliver(
          url,
          "pull_request",
          { action: "synchronize", number: pull.number },
          secret,
          { signatureSecret: "guess" },
        );
        await s.forge.settled();
        assert.equal(forged.status, 401);
        // Then one good delivery: its pass comes after any pass the others could have started.
        const last = s.forge.deliver(
          url,
          "pull_request",
          { action: "synchronize", number: pull.number },
          secret,
        );
        await s.forge.settled();
        assert.equal(last.status, 202);
        const fresh = delivered.length + 1;
        await waitFor(async () => {
          const seen = (await listEvents(db, {})).filter((e) =>
            ["tracker.delivery", "tracker.synced", "tracker.pulls-watched"].includes(e.type),
          );
          return (
            seen.filter((e) => e.type === "tracker.delivery").length === 3 * delivered.length + 1 &&
            seen.at(-1)?.type === "tracker.pulls-watched"
          );
        }, "the passes after the last delivery");
        const deliveries = (await events("tracker.delivery")).map((e) => e.data as { replay: boolean });
        assert.equal(deliveries.filter((d) => d.replay).length, 2 * delivered.length);
        assert.equal(
          deliveries.filter((d) => !d.replay).length,
          fresh,
          "a refused delivery is not a delivery",
        );
        assert.deepEqual(
          (await events("tracker.delivery-refused")).map((e) => e.data),
          [{ reason: "bad-signature", refused: 1 }],
        );
        const passes = (await events("tracker.synced")).filter(
          (e) => (e.data as { trigger: string }).trigger === "webhook",
        );
        assert.ok(
          passes.length <= fresh,
          `${passes.length} passes for ${fresh} deliveries: a replay or a refused delivery started one`,
        );

        const keys = received(await listEvents(db, { runId: run.id }));
        assert.equal(new Set(keys).size, keys.length, `received twice: ${keys.join(", ")}`);
        assert.deepEqual((await listFeedback(db, run.id)).map((f) => `${f.kind}:${f.state}`).sort(), [
          "changes-requested:new",
          "ci-failed:sent",
        ]);
        const reopened = (await listEvents(db, { runId: run.id })).filter((e) => e.type === "run.reopened");
        assert.equal(reopened.length, 1, "acted on once");
      } finally {
        stop.abort();
        await intake.done;
      }
    });

    it("killed after pushing a revision and before answering the review, then killed again while answering: the next start answers exactly once", async (t) => {
      const s = await reactionSetup(t, kind, "[reactions.changes-requested]\nretries = 1\n");
      const db = s.project.store.db;
      const itemId = await s.item(
        "Add multiply",
        `[[attempts]]\nsteps = [${MULTIPLY}]\n[[attempts]]\nsteps = [{ write = "CHANGELOG.md", content = "- multiply()\\n" }]`,
      );
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const forgePull = s.forgePull(pull.number);
      s.forge.review(s.repo, forgePull, "reviewer", "Please keep a changelog.", "CHANGES_REQUESTED");
      await s.watcher.pass();
      await s.resume(itemId);
      const answers = () => forgePull.comments.filter((c) => c.body.startsWith("<!-- gaffer:answered:"));

      /** One settle in its own process, SIGKILLed as the forge gets the request `at` matches. */
      const settleKilledAt = async (method: string, at: RegExp) => {
        const child = spawn(process.execPath, [SETTLE, s.project.root], { stdio: "ignore" });
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.on("exit", (_code, signal) => resolve(signal)),
        );
        s.forge.intercept(method, at, () => child.kill("SIGKILL"));
        assert.equal(await exited, "SIGKILL", `the settle was not killed at ${method} ${at}`);
      };
      const comments = new RegExp(`/issues/${pull.number}/comments$`);

      // Killed as it looks for its answer: the revision is on the forge, the answer is not.
      await settleKilledAt("GET", comments);
      const pushed = (await s.pull(run.id)).head;
      assert.notEqual(pushed, pull.head, "the revision was published");
      assert.equal(forgePull.pull?.headSha, pushed);
      assert.equal(answers().length, 0);

      // Killed as it posts the answer: the forge has it, gaffer never heard back.
      await settleKilledAt("POST", comments);
      assert.equal(answers().length, 1);
      assert.equal((await listFeedback(db, run.id))[0]?.answered, false, "not recorded as answered");

      // The next start finds its answer by the marker and posts nothing.
      await s.watcher.settle();
      await s.watcher.pass();
      assert.equal(answers().length, 1);
      assert.match(answers()[0]?.body ?? "", /@reviewer: ` Please keep a changelog\./);
      assert.equal((await listFeedback(db, run.id))[0]?.answered, true);
      const answered = (await listEvents(db, { runId: run.id })).filter(
        (e) => e.type === "reaction.answered",
      );
      assert.deepEqual(
        answered.map((e) => (e.data as { found: boolean }).found),
        [true],
      );
      assert.equal(forgePull.pull?.headSha, pushed, "nothing pushed again");
    });
  });
}
