import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { findProposal, getItem, listEvents, listFeedback } from "../../src/store/index.ts";
import { getRun, reactionSetup } from "../helpers/reactions.ts";

const MULTIPLY = `{ edit = "src/calc.js", old = "export function divide", new = "export function multiply(a, b) {\\n  return a * b;\\n}\\n\\nexport function divide" }`;

/** src/calc.js with both multiply (the run's) and power (the moved base's). */
const RESOLVED = `export function add(a, b) {
  return a + b;
}

export function subtract(a, b) {
  return a - b;
}

export function average(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function multiply(a, b) {
  return a * b;
}

export function power(a, b) {
  return a ** b;
}

export function divide(a, b) {
  return a / b;
}
`;

const POWER_ON_MAIN = RESOLVED.replace("export function multiply(a, b) {\n  return a * b;\n}\n\n", "");

for (const kind of ["github", "gitea"] as const) {
  describe(`reactions on ${kind}: reviews, conflicts, approval`, () => {
    it("sends a review's comments to the same run and answers each once when the fix is published", async (t) => {
      const s = await reactionSetup(t, kind);
      const db = s.project.store.db;
      const itemId = await s.item(
        "Add multiply",
        `[[attempts]]\nsteps = [${MULTIPLY}]\n[[attempts]]\nsteps = [{ write = "CHANGELOG.md", content = "- multiply()\\n" }]`,
      );
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const issue = s.forgePull(pull.number);
      const reviewer = s.forge.model.user("reviewer");
      s.forge.review(s.repo, issue, "reviewer", "Please keep a changelog.", "CHANGES_REQUESTED", [
        { path: "src/calc.js", line: 13, body: "list multiply in CHANGELOG.md" },
      ]);
      s.forge.model.comment(s.repo, issue, reviewer, "Thanks for this!");
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "revising");
      await s.resume(itemId);
      const brief = s.brief(run.id, 2);
      assert.match(brief, /# A reviewer asked for changes to your proposal/);
      assert.match(
        brief,
        /@reviewer requested changes:\n {2}Please keep a changelog\.\n {2}src\/calc\.js:13: list multiply/,
      );
      assert.doesNotMatch(brief, /Thanks for this/, "a conversation comment is recorded, not sent");

      // Published, then answered once, however many passes follow.
      await s.watcher.pass();
      await s.watcher.pass();
      const answers = issue.comments.filter((c) => c.body.startsWith("<!-- gaffer:answered:"));
      assert.equal(answers.length, 1);
      assert.match(answers[0]?.body ?? "", /@reviewer: ` Please keep a changelog\./);
      const feedback = await listFeedback(db, run.id);
      assert.deepEqual(
        feedback.map((f) => `${f.kind}:${f.state}:${f.answered}`),
        ["changes-requested:sent:true", "review-comment:skipped:false"],
      );
      assert.equal((await getRun(db, run.id)).state, "proposed", "its own answer re-opens nothing");
    });

    it("rebases onto a base that moved with a conflicting change: the agent resolves it, the gate runs again, the branch is pushed over", async (t) => {
      const s = await reactionSetup(t, kind);
      const db = s.project.store.db;
      const itemId = await s.item(
        "Add multiply",
        `[[attempts]]\nsteps = [${MULTIPLY}]\n[[attempts]]\nsteps = [{ write = "src/calc.js", content = ${JSON.stringify(RESOLVED)} }]`,
      );
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const tip = await s.moveBase({ "src/calc.js": POWER_ON_MAIN });
      await s.watcher.pass();
      const reopened = await getRun(db, run.id);
      assert.equal(reopened.state, "revising");
      assert.equal(reopened.rebaseOnto, tip);

      const resumed = await s.resume(itemId);
      assert.equal(resumed.state, "proposed", resumed.reason ?? "");
      assert.equal(resumed.baseCommit, tip);
      assert.match(
        s.brief(run.id, 2),
        /# Note from gaffer\nThe branch your work merges into moved on[\s\S]*- src\/calc\.js/,
      );
      const proposal = await findProposal(db, run.id);
      assert.equal(proposal?.baseCommit, tip);
      const rebased = (await listEvents(db, { runId: run.id })).find((e) => e.type === "run.rebased");
      assert.deepEqual((rebased?.data as { conflicts: string[] }).conflicts, ["src/calc.js"]);

      // Published over the old head (a lease on it); the pull request now descends from the new main.
      await s.watcher.settle();
      const head = s.forgePull(pull.number).pull?.headSha ?? "";
      assert.equal(head, proposal?.headCommit);
      execFileSync("git", ["-C", s.repo.gitDir, "merge-base", "--is-ancestor", tip, head]);
      await s.watcher.pass();
      assert.equal((await getRun(db, run.id)).state, "proposed", "up to date now: nothing more");
    });

    it("rebases cleanly when the base moved without a conflict (on = base-moved): the gate runs again with no agent turn", async (t) => {
      const s = await reactionSetup(t, kind, '[reactions.merge-conflict]\non = "base-moved"\n');
      const db = s.project.store.db;
      const itemId = await s.item("Add multiply", `[[attempts]]\nsteps = [${MULTIPLY}]`);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const tip = await s.moveBase({ "docs/notes.md": "notes\n" });
      await s.watcher.pass();
      const resumed = await s.resume(itemId);
      assert.equal(resumed.state, "proposed", resumed.reason ?? "");
      assert.deepEqual(await s.attempts(run.id), ["1:changes-requested", "2:green"]);
      assert.throws(() => s.brief(run.id, 2), /ENOENT/, "no agent turn");
      assert.equal((await findProposal(db, run.id))?.baseCommit, tip);
    });

    it("merges an approved pull request with green checks through the vault; the issue is closed and labelled done", async (t) => {
      const s = await reactionSetup(t, kind, '[reactions.approved-and-green]\naction = "merge"\n');
      const db = s.project.store.db;
      const { itemId, issue } = await s.issueItem("Add multiply", `[[attempts]]\nsteps = [${MULTIPLY}]`);
      const run = await s.run(itemId);
      await s.watcher.settle();
      const pull = await s.pull(run.id);
      const forgePull = s.forgePull(pull.number);
      s.forge.review(s.repo, forgePull, "reviewer", "", "APPROVED");
      await s.watcher.pass();
      assert.equal(forgePull.pull?.merged, false, "not green yet: CI has not reported");
      s.forge.ci(s.repo, pull.head, { name: "ci/test", state: "success" });
      await s.watcher.pass();
      assert.equal(forgePull.pull?.merged, true);
      assert.equal(issue.state, "closed");
      assert.deepEqual(
        issue.labels.map((l) => l.name),
        ["done"],
      );
      assert.equal((await getItem(db, itemId)).state, "closed");
      const requested = (await listEvents(db, { runId: run.id })).filter(
        (e) => e.type === "reaction.merge-requested",
      );
      assert.equal(requested.length, 1);
      await s.watcher.pass();
      assert.equal((await s.pull(run.id)).state, "merged");
    });
  });
}
