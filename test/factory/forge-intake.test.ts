import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startForgeIntake } from "../../src/factory/index.ts";
import { openProject } from "../../src/engine/index.ts";
import { appendEvent, EVENTS, listEvents, listItems } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { forgeSetup, TOKEN_ENV } from "../helpers/forge-tracker.ts";
import { waitFor } from "../helpers/wait.ts";

const SECRET = "webhook-secret-value";

for (const kind of ["github", "gitea"] as const) {
  describe(`forge intake on ${kind}`, () => {
    it("syncs at start and at once on a signed delivery; ignores a replay; refuses and counts unsigned and wrongly signed ones", async (t) => {
      const { forge, repo, token, config, store } = await forgeSetup(
        t,
        kind,
        'poll = "1h"\n[tracker.webhook]\nlisten = "127.0.0.1:0"\n',
      );
      const db = store.db;
      const stop = new AbortController();
      const env = { [TOKEN_ENV[kind]]: token, GAFFER_WEBHOOK_SECRET: SECRET };
      const intake = await startForgeIntake(db, config, stop.signal, env);
      t.after(async () => {
        stop.abort();
        await intake.done;
      });
      const url = intake.receiver?.url as string;
      const events = async (type: string) => (await listEvents(db, {})).filter((e) => e.type === type);
      await waitFor(async () => (await events("tracker.synced")).length === 1, "the first sync");

      forge.addHook(repo, url, SECRET, ["issues"]);
      forge.createIssue(repo, { title: "Export as CSV", labels: ["backlog"] });
      await forge.settled();
      const [delivery] = forge.deliveries;
      assert.equal(delivery?.status, 202);
      await waitFor(
        async () => (await listItems(db)).some((item) => item.title === "Export as CSV"),
        "the delivered issue to become an item",
      );
      const synced = await events("tracker.synced");
      assert.deepEqual(
        synced.map((e) => (e.data as { trigger: string }).trigger),
        ["start", "webhook"],
      );

      // A replay is answered and recorded, and syncs nothing.
      const replay = forge.redeliver(delivery?.id as string);
      await forge.settled();
      assert.equal(replay.status, 200);
      await waitFor(async () => (await events("tracker.delivery")).length === 2, "the replay's record");
      const received = await events("tracker.delivery");
      assert.deepEqual(
        received.map((e) => e.data),
        [
          { delivery: delivery?.id, event: "issues", replay: false },
          { delivery: delivery?.id, event: "issues", replay: true },
        ],
      );

      // A wrong signature and no signature are refused, and counted.
      const forged = forge.deliver(url, "issues", { action: "opened" }, SECRET, { signatureSecret: "guess" });
      await forge.settled();
      assert.equal(forged.status, 401);
      const unsigned = await fetch(url, { method: "POST", body: "{}" });
      assert.equal(unsigned.status, 401);
      await waitFor(async () => (await events("tracker.delivery-refused")).length === 2, "the refusals");
      const refused = await events("tracker.delivery-refused");
      assert.deepEqual(
        refused.map((e) => e.data),
        [
          { reason: "bad-signature", refused: 1 },
          { reason: "unsigned", refused: 2 },
        ],
      );
      assert.equal((await events("tracker.synced")).length, 2);
      const stored = JSON.stringify(await listEvents(db, {}));
      assert.ok(!stored.includes(token) && !stored.includes(SECRET), "no credential in an event");
    });
  });
}

describe("forge intake when the forge throttles", () => {
  it("records the wait (tracker.throttled) and gaffer status says so while it lasts", async (t) => {
    const { forge, token, config, store } = await forgeSetup(t, "gitea", 'poll = "1h"\n');
    const stop = new AbortController();
    forge.throttle({ style: "429", count: 1, retryAfter: 1 });
    const intake = await startForgeIntake(store.db, config, stop.signal, { [TOKEN_ENV.gitea]: token });
    t.after(async () => {
      stop.abort();
      await intake.done;
    });
    await waitFor(
      async () => (await listEvents(store.db, {})).some((e) => e.type === "tracker.synced"),
      "the sync after the wait",
    );
    const [throttled] = (await listEvents(store.db, {})).filter((e) => e.type === "tracker.throttled");
    const data = throttled?.data as { line: string; until: number };
    assert.match(data.line, /is throttling gaffer: GET again in 1s/);
    assert.ok(data.until > (throttled?.at ?? 0));

    const cwd = gitRepo(t, {
      "gaffer.toml": `[tracker]\nkind = "gitea"\nurl = "${forge.url}"\nrepo = "acme/app"\n`,
    });
    const project = await openProject(cwd);
    await appendEvent(project.store.db, {}, EVENTS.trackerThrottled, {
      line: "api.github.com is throttling gaffer (rate limit): GET /repos/acme/app/issues again in 600s",
      until: Date.now() + 600_000,
    });
    await project.close();
    const shown = await gaffer(["status"], { cwd });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /forge throttled: api\.github\.com is throttling gaffer \(rate limit\): GET \/repos\/acme\/app\/issues again in 600s \(until /,
    );
  });
});
