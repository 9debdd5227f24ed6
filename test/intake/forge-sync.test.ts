import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readBacklog } from "../../src/factory/index.ts";
import { syncTracker } from "../../src/intake/index.ts";
import { type Item, listEvents, listItems, trackerLinks } from "../../src/store/index.ts";
import { forgeSetup } from "../helpers/forge-tracker.ts";

const byTitle = (items: Item[]) => new Map(items.map((item) => [item.title, item]));

for (const kind of ["github", "gitea"] as const) {
  describe(`intake/${kind} sync`, () => {
    it("brings ready issues and their dependencies in as items the factory schedules", async (t) => {
      const setup = await forgeSetup(t, kind);
      const { forge, repo, store } = setup;
      forge.createIssue(repo, { title: "plain backlog", labels: ["backlog"] });
      forge.createIssue(repo, { title: "urgent", labels: ["backlog", "priority"] });
      forge.createIssue(repo, { title: "design first", body: "no labels" });
      forge.createIssue(repo, { title: "someday", labels: ["backlog", "vision"] });
      forge.createIssue(repo, {
        title: "after the design",
        labels: ["backlog"],
        body: "Work.\n\n## Depends on\n- #3\n\n## Notes\nsee #4",
      });
      forge.createIssue(repo, { title: "taken", labels: ["backlog"], assignees: ["rival"] });

      const report = await syncTracker(store.db, setup.tracker(), setup.config.labels);
      assert.equal(report.created.length, 4);
      const items = byTitle(await listItems(store.db, { state: "all" }));
      assert.deepEqual([...items.keys()].sort(), [
        "after the design",
        "design first",
        "plain backlog",
        "urgent",
      ]);
      assert.equal(items.get("urgent")?.priority, 1);
      assert.equal(items.get("design first")?.state, "parked");
      assert.deepEqual(items.get("after the design")?.dependsOn, [items.get("design first")?.id]);
      assert.match(items.get("plain backlog")?.source ?? "", /\/acme\/app\/issues\/1$/);
      const parked = await listEvents(store.db, { itemId: items.get("design first")?.id as number });
      assert.deepEqual(
        parked.map((e) => [
          e.type,
          "note" in e.data ? e.data.note : "title" in e.data ? e.data.title : undefined,
        ]),
        [
          ["item.created", "design first"],
          ["item.parked", "not labelled backlog"],
        ],
      );

      const queue = (await readBacklog(store.db)).unclaimed.map((entry) => entry.item.title);
      assert.deepEqual(queue, ["urgent", "plain backlog"], "priority first, the dependent waits");

      // The forge moves on: the dependency is closed, a ready issue loses its label, a new one comes.
      const design = repo.issues.get(3);
      const plain = repo.issues.get(1);
      if (!design || !plain) throw new Error("missing issue");
      forge.model.setState(repo, design, "closed", undefined);
      forge.model.removeLabel(repo, plain, plain.labels[0] as never, undefined);
      forge.createIssue(repo, { title: "new one", labels: ["backlog"] });
      const second = await syncTracker(store.db, setup.tracker(), setup.config.labels);
      assert.equal(second.created.length, 1);
      const after = byTitle(await listItems(store.db, { state: "all" }));
      assert.equal(after.get("design first")?.state, "closed");
      assert.equal(after.get("plain backlog")?.state, "parked");
      assert.deepEqual(
        (await readBacklog(store.db)).unclaimed.map((entry) => entry.item.title),
        ["urgent", "after the design", "new one"],
      );
      assert.equal((await trackerLinks(store.db, setup.tracker().key)).size, 5);
    });

    it("changes nothing when the forge did not change, and leaves a local close alone", async (t) => {
      const setup = await forgeSetup(t, kind);
      const { forge, repo, store } = setup;
      forge.createIssue(repo, { title: "one", labels: ["backlog"] });
      await syncTracker(store.db, setup.tracker(), setup.config.labels);
      const [item] = await listItems(store.db);
      const { setItemState } = await import("../../src/store/index.ts");
      await setItemState(store.db, item?.id as number, "closed", "merged by the vault");
      const events = (await listEvents(store.db, {})).length;
      const again = await syncTracker(store.db, setup.tracker(), setup.config.labels);
      assert.deepEqual([again.created, again.changed], [[], []]);
      assert.equal((await listEvents(store.db, {})).length, events);
      assert.equal((await listItems(store.db, { state: "all" }))[0]?.state, "closed");
    });

    it("rides out 500s with retries, and says so in one line when they do not stop", async (t) => {
      const setup = await forgeSetup(t, kind);
      const { forge, repo, store } = setup;
      forge.createIssue(repo, { title: "one", labels: ["backlog"] });
      const tracker = setup.tracker();
      forge.fail(2);
      await syncTracker(store.db, tracker, setup.config.labels);
      assert.equal((await listItems(store.db)).length, 1);
      assert.equal(forge.requests.filter((r) => r.status === 500).length, 2);
      forge.fail(50, 503);
      await assert.rejects(
        syncTracker(store.db, tracker, setup.config.labels),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "tracker-unavailable");
          assert.match(error.message, /^acme\/app on 127\.0\.0\.1:\d+ failed to list issues: 503/);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    });

    it("waits as long as a throttled forge's retry-after asks", async (t) => {
      const setup = await forgeSetup(t, kind);
      const { forge, repo, store } = setup;
      forge.createIssue(repo, { title: "one", labels: ["backlog"] });
      forge.throttle({ style: kind === "github" ? "secondary" : "429", count: 1, retryAfter: 1 });
      const started = Date.now();
      await syncTracker(store.db, setup.tracker(), setup.config.labels);
      assert.ok(Date.now() - started >= 1000, "waited the second it was asked to");
      assert.equal((await listItems(store.db)).length, 1);
      assert.equal(setup.throttles.length, 1);
      assert.match(setup.throttles[0] ?? "", /throttling gaffer.*1s/);
    });
  });
}

describe("intake/github sync", () => {
  it("waits for GitHub's primary rate limit to reset", async (t) => {
    const setup = await forgeSetup(t, "github");
    setup.forge.createIssue(setup.repo, { title: "one", labels: ["backlog"] });
    setup.forge.throttle({ style: "primary", count: 1, retryAfter: 1 });
    await syncTracker(setup.store.db, setup.tracker(), setup.config.labels);
    assert.equal((await listItems(setup.store.db)).length, 1);
    assert.match(setup.throttles[0] ?? "", /rate limit/);
  });
});
