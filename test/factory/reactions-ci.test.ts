import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listEvents, listFeedback } from "../../src/store/index.ts";
import { getRun, reactionSetup } from "../helpers/reactions.ts";

const MULTIPLY = `{ edit = "src/calc.js", old = "export function divide", new = "export function multiply(a, b) {\\n  return a * b;\\n}\\n\\nexport function divide" }`;

const SCENARIO = `
[[attempts]]
steps = [${MULTIPLY}]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply()\\n" }]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply(a, b)\\n" }]
`;

for (const kind of ["github", "gitea"] as const) {
  describe(`reactions on ${kind}: ci-failed`, () => {
    it("publishes on proposal, sends a failed check's name and log to the same run, and republishes the fix", async (t) => {
      const s = await reactionSetup(t, kind, "[reactions.ci-failed]\nretries = 1\n");
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", SCENARIO);
      const run = await s.run(itemId);
      assert.equal(run.state, "proposed");

      // on-proposal: the watcher publishes the proposal as a draft pull request.
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const forgePull = s.forgePull(pull.number);
      assert.equal(forgePull.pull?.headSha, pull.head);

      // CI fails on the head: its name and compressed log become attempt 2's brief, in the same run.
      s.forge.ci(s.repo, pull.head, {
        name: "ci/test",
        state: "failure",
        summary: "1 test failed",
        logs: "TAP version 13\nnot ok 1 - multiply has no changelog\n  ---\n  error: 'CHANGELOG.md is missing'\n  ...\n",
      });
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "revising");
      const resumed = await s.resume(itemId);
      assert.equal(resumed.id, run.id, "the same run");
      assert.equal(resumed.state, "proposed");
      assert.deepEqual(await s.attempts(run.id), ["1:changes-requested", "2:green"]);
      const brief = s.brief(run.id, 2);
      assert.match(brief, /# A CI check just failed/);
      assert.match(brief, /check "ci\/test" failed/);
      if (kind === "github") assert.match(brief, /multiply has no changelog/);
      else assert.match(brief, /1 test failed/);

      // The revision goes to the same pull request; green checks on it change nothing.
      await s.watcher.settle();
      const republished = await s.pull(run.id);
      assert.notEqual(republished.head, pull.head);
      assert.equal(republished.number, pull.number);
      assert.equal(s.forgePull(pull.number).pull?.headSha, republished.head);
      s.forge.ci(s.repo, republished.head, { name: "ci/test", state: "success" });
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "proposed");

      // A delivery seen twice is received once.
      await s.watcher.pass();
      const events = await listEvents(db, { runId: run.id });
      const received = events
        .filter((e) => e.type === "forge.pull-event")
        .map((e) => (e.data as { kind: string }).kind);
      assert.deepEqual(received, ["ci-failed", "ci-passed"]);

      // A check posted later on a head already judged green is not read again: the verdict stands.
      s.forge.ci(s.repo, republished.head, { name: "ci/lint", state: "failure", summary: "lint failed" });
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "proposed");
      const feedback = await listFeedback(db, run.id);
      assert.deepEqual(
        feedback.map((f) => `${f.kind}:${f.state}`),
        ["ci-failed:sent"],
      );
      assert.equal(feedback[0]?.attempt, 2);
    });

    it("escalates a failure past its retries: a label, one comment, and the run stays as it is", async (t) => {
      const s = await reactionSetup(t, kind, "[reactions.ci-failed]\nretries = 0\n");
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", SCENARIO);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      s.forge.ci(s.repo, pull.head, { name: "ci/test", state: "failure", summary: "boom" });
      await s.watcher.pass();
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "proposed");
      const forgePull = s.forgePull(pull.number);
      assert.deepEqual(
        forgePull.labels.map((l) => l.name),
        ["blocked"],
      );
      const told = forgePull.comments.filter((c) => c.body.startsWith("<!-- gaffer:escalated:"));
      assert.equal(told.length, 1);
      assert.match(told[0]?.body ?? "", /retries = 0/);
      const [row] = await listFeedback(db, run.id);
      assert.equal(row?.state, "escalated");
      const escalated = (await listEvents(db, { runId: run.id })).filter(
        (e) => e.type === "reaction.escalated",
      );
      assert.equal(escalated.length, 1);
    });
  });
}
