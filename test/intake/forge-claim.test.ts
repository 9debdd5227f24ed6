import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimIssue, claimTrackedItem, syncTracker } from "../../src/intake/index.ts";
import { getItem, listEvents, listItems } from "../../src/store/index.ts";
import { fullGrant, forgeSetup, TOKEN_ENV } from "../helpers/forge-tracker.ts";

for (const kind of ["github", "gitea"] as const) {
  describe(`intake/${kind} claims`, () => {
    it("assigns and labels once; a second claim by the holder writes nothing", async (t) => {
      const setup = await forgeSetup(t, kind);
      const issue = setup.forge.createIssue(setup.repo, { title: "x", labels: ["backlog", "blocked"] });
      const tracker = setup.tracker();
      assert.deepEqual(await claimIssue(tracker, setup.config.labels, issue.number), {
        won: true,
        claimant: "gaffer-bot",
      });
      assert.deepEqual(
        issue.assignees.map((u) => u.login),
        ["gaffer-bot"],
      );
      assert.deepEqual(
        issue.labels.map((l) => l.name),
        ["in-progress"],
      );
      const writes = () => setup.forge.requests.filter((r) => r.method !== "GET").length;
      const before = writes();
      assert.equal((await claimIssue(tracker, setup.config.labels, issue.number)).won, true);
      assert.equal(writes(), before);
    });

    it("lets exactly one of two racing claimants win", async (t) => {
      const setup = await forgeSetup(t, kind);
      const issue = setup.forge.createIssue(setup.repo, { title: "x", labels: ["backlog"] });
      const rivalToken = setup.forge.addToken("rival", fullGrant(kind));
      const outcomes = await Promise.all([
        claimIssue(setup.tracker(), setup.config.labels, issue.number),
        claimIssue(setup.tracker(rivalToken), setup.config.labels, issue.number),
      ]);
      assert.equal(outcomes.filter((o) => o.won).length, 1, JSON.stringify(outcomes));
      const winner = outcomes.find((o) => o.won) as { claimant: string };
      assert.deepEqual(
        issue.assignees.map((u) => u.login),
        [winner.claimant],
      );
      assert.ok(issue.labels.some((l) => l.name === "in-progress"));
    });

    it("backs off when another claimant is assigned between its write and its re-read", async (t) => {
      const setup = await forgeSetup(t, kind);
      const issue = setup.forge.createIssue(setup.repo, { title: "x", labels: ["backlog"] });
      const rival = setup.forge.model.user("rival");
      const assignPath = kind === "github" ? /\/issues\/1\/assignees$/ : /\/issues\/1$/;
      setup.forge.intercept(kind === "github" ? "POST" : "PATCH", assignPath, () => {
        setup.forge.intercept("GET", /\/issues\/1$/, () => {
          setup.forge.model.setAssignees(setup.repo, issue, [...issue.assignees, rival], rival);
        });
      });
      const outcome = await claimIssue(setup.tracker(), setup.config.labels, issue.number);
      assert.deepEqual(outcome, { won: false, reason: "claimed by rival" });
      assert.deepEqual(
        issue.assignees.map((u) => u.login),
        ["rival"],
        "it took its own assignment back",
      );
      assert.ok(!issue.labels.some((l) => l.name === "in-progress"));
    });

    it("parks the item of a lost claim and refuses to run it", async (t) => {
      const setup = await forgeSetup(t, kind);
      const issue = setup.forge.createIssue(setup.repo, { title: "x", labels: ["backlog"] });
      await syncTracker(setup.store.db, setup.tracker(), setup.config.labels);
      const [item] = await listItems(setup.store.db);
      const itemId = item?.id as number;
      setup.forge.model.setAssignees(setup.repo, issue, [setup.forge.model.user("rival")], undefined);
      const env = { [TOKEN_ENV[kind]]: setup.token };
      await assert.rejects(claimTrackedItem(setup.store.db, setup.config, itemId, env, setup.tuning), {
        code: "run-state",
        message: new RegExp(
          `^item #${itemId} \\(issue #1 of acme/app on .*\\) is not gaffer's to take: claimed by rival$`,
        ),
      });
      assert.equal((await getItem(setup.store.db, itemId)).state, "parked");
      await assert.rejects(claimTrackedItem(setup.store.db, setup.config, itemId, env, setup.tuning), {
        message: `item #${itemId} is parked: claimed by rival`,
      });
      // The rival lets go: the next sync makes the item ready again, and gaffer's claim wins.
      setup.forge.model.setAssignees(setup.repo, issue, [], undefined);
      await syncTracker(setup.store.db, setup.tracker(), setup.config.labels);
      assert.equal((await getItem(setup.store.db, itemId)).state, "open");
      await claimTrackedItem(setup.store.db, setup.config, itemId, env, setup.tuning);
      const events = (await listEvents(setup.store.db, { itemId })).map((e) => e.type);
      assert.deepEqual(events, ["item.created", "item.parked", "item.reopened", "tracker.claimed"]);
    });
  });
}
