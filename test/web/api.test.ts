import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { openProject } from "../../src/engine/index.ts";
import {
  appendEvent,
  createToken,
  type Db,
  EVENTS,
  eventsOfKind,
  latestEventId,
  listEvents,
  revokeToken,
} from "../../src/store/index.ts";
import { checkBind, startDashboard } from "../../src/web/index.ts";
import { gaffer, startGaffer } from "../helpers/cli.ts";
import { commitAll, gitOut } from "../helpers/git.ts";
import { readSse } from "../helpers/sse.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor, waitForEvent } from "../helpers/wait.ts";
import { proposalProject } from "../vault/fixture.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const APPROVER = "alice@example.com";
/** A merge touching CI is high tier: it waits in the vault for an approver. */
const CI_CHANGE = { ".github/workflows/ci.yml": "on: push\n" };

interface Served {
  dir: string;
  url: string;
  project: Awaited<ReturnType<typeof openProject>>;
  tokens: { alice: string; mallory: string; revoked: string };
}

async function served(t: TestContext): Promise<Served> {
  const p = await proposalProject(t, CI_CHANGE, { gaffer: `[vault]\napprovers = ["${APPROVER}"]\n` });
  const merge = await gaffer(["merge", "1"], { cwd: p.dir });
  assert.equal(merge.code, 0, merge.stderr);
  const project = await openProject(p.dir);
  const db = project.store.db;
  const tokens = {
    alice: (await createToken(db, APPROVER)).secret,
    mallory: (await createToken(db, "mallory")).secret,
    revoked: (await createToken(db, "old-laptop")).secret,
  };
  await revokeToken(db, "old-laptop");
  const dashboard = await startDashboard(project, { host: "127.0.0.1", port: 0 });
  t.after(async () => {
    await dashboard.close();
    await project.close();
  });
  return { dir: p.dir, url: dashboard.url, project, tokens };
}

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

async function postJson(
  url: string,
  token?: string,
  body: object = {},
): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token !== undefined && { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const ACTIONS = [
  "factory/pause",
  "factory/resume",
  "runs/1/cancel",
  "runs/1/resume",
  "runs/1/discard",
  "items/1/requeue",
  "roles/builder/tell",
  "vault/merge-run-1/approve",
  "vault/merge-run-1/reject",
];

describe("the dashboard's API", () => {
  it("reads runs, items, events, status and the vault without a token on loopback", async (t) => {
    const s = await served(t);
    const status = await getJson(`${s.url}api/status`);
    assert.equal(status.status, 200);
    assert.equal(status.body.daemon.paused, false);
    assert.equal(status.body.vaultWaiting, 1);
    assert.equal(status.body.counts.proposed, 1);
    assert.equal(status.body.lastEventId, await latestEventId(s.project.store.db));

    const items = await getJson(`${s.url}api/items`);
    assert.deepEqual(items.body.lanes, [
      "backlog",
      "in progress",
      "proposed",
      "approved",
      "merged",
      "gave up",
      "blocked",
    ]);
    assert.deepEqual(
      items.body.items.map((item: { id: number; lane: string }) => [item.id, item.lane]),
      [[1, "proposed"]],
    );

    const runs = await getJson(`${s.url}api/runs`);
    assert.deepEqual(
      runs.body.runs.map((run: { id: number }) => run.id),
      [1],
    );
    const run = await getJson(`${s.url}api/runs/1`);
    assert.equal(run.body.run.state, "proposed");
    assert.equal(run.body.item.title, "The change");
    assert.equal(run.body.proposal.branch, "gaffer/1-change");

    assert.deepEqual(run.body.findings, []);
    assert.equal(run.body.report, null);
    assert.equal(run.body.usage.costUsd, 0);
    const diff = await getJson(`${s.url}api/runs/1/diff`);
    assert.equal(diff.body.truncated, false);
    assert.ok(diff.body.lines.includes("+on: push"), diff.body.lines.join("\n"));
    assert.match(diff.body.lines[0], /^diff --git a\/\.github\/workflows\/ci\.yml/);

    const runEvents = await getJson(`${s.url}api/runs/1/events`);
    assert.ok(runEvents.body.length > 0 && runEvents.body.every((e: { runId: number }) => e.runId === 1));
    const all = await getJson(`${s.url}api/events?after=1`);
    assert.equal(all.body[0].id, 2, "after= pages the feed");
    const two = await getJson(`${s.url}api/events?after=1&limit=2`);
    assert.deepEqual(
      two.body.map((e: { id: number }) => e.id),
      [2, 3],
    );
    assert.equal((await getJson(`${s.url}api/runs?limit=0`)).status, 400);
    assert.deepEqual((await getJson(`${s.url}api/runs?before=1`)).body.runs, []);
    assert.deepEqual(items.body.counts.proposed, 1);

    const vault = await getJson(`${s.url}api/vault`);
    assert.deepEqual(
      vault.body.map((a: { request: { id: string }; state: string }) => [a.request.id, a.state]),
      [["merge-run-1", "pending"]],
    );
    const action = await getJson(`${s.url}api/vault/merge-run-1`);
    assert.equal(action.body.request.tier, "high");
    assert.deepEqual(
      action.body.history.map((h: { type: string }) => h.type),
      ["requested"],
    );

    assert.equal((await getJson(`${s.url}api/runs/99`)).status, 404);
    assert.equal((await getJson(`${s.url}api/runs/x`)).status, 400);
    assert.equal((await getJson(`${s.url}api/vault/nope`)).status, 400);
    assert.equal((await getJson(`${s.url}api/nothing`)).status, 404);
  });

  it("refuses every action without a token, with a wrong one and with a revoked one, changing nothing", async (t) => {
    const s = await served(t);
    for (const action of ACTIONS) {
      const none = await postJson(`${s.url}api/${action}`);
      assert.equal(none.status, 401, action);
      assert.match(none.body.error.message, /needs a token/);
      for (const token of ["gft_wrong", "not-even-shaped", s.tokens.revoked]) {
        const refused = await postJson(`${s.url}api/${action}`, token);
        assert.equal(refused.status, 403, `${action} with ${token}`);
        assert.match(refused.body.error.message, /unknown or revoked/);
      }
    }
    assert.equal(existsSync(join(s.dir, ".gaffer", "factory", "paused")), false);
    assert.equal((await getJson(`${s.url}api/vault/merge-run-1`)).body.state, "pending");
    assert.equal(eventsOfKind(await listEvents(s.project.store.db, {}), EVENTS.dashboardAction).length, 0);
  });

  it("acts with a token through the CLI's code, recording who acted", async (t) => {
    const s = await served(t);
    const db = s.project.store.db;
    const before = gitOut(s.dir, "rev-parse", "main");

    assert.deepEqual((await postJson(`${s.url}api/factory/pause`, s.tokens.alice)).body, {
      paused: true,
      was: false,
    });
    assert.equal(existsSync(join(s.dir, ".gaffer", "factory", "paused")), true);
    assert.equal((await getJson(`${s.url}api/status`)).body.daemon.paused, true);
    assert.deepEqual((await postJson(`${s.url}api/factory/resume`, s.tokens.alice)).body, {
      paused: false,
      was: true,
    });

    const cancel = await postJson(`${s.url}api/runs/1/cancel`, s.tokens.alice);
    assert.equal(cancel.status, 409);
    assert.match(cancel.body.error.message, /run 1 is proposed, not at work/);

    const stranger = await postJson(`${s.url}api/vault/merge-run-1/approve`, s.tokens.mallory);
    assert.equal(stranger.status, 400);
    assert.match(stranger.body.error.message, /"mallory" is not an approver/);
    const noReason = await postJson(`${s.url}api/vault/merge-run-1/reject`, s.tokens.alice);
    assert.equal(noReason.status, 400);

    const approved = await postJson(`${s.url}api/vault/merge-run-1/approve`, s.tokens.alice);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.state, "fired");
    assert.notEqual(gitOut(s.dir, "rev-parse", "main"), before, "the approved merge was carried out");
    const history = (await getJson(`${s.url}api/vault/merge-run-1`)).body.history;
    assert.ok(
      history.some((h: { type: string; actor: string }) => h.type === "approved" && h.actor === APPROVER),
    );

    const discarded = await postJson(`${s.url}api/runs/1/discard`, s.tokens.alice);
    assert.deepEqual(discarded.body, { discarded: 1, snapshot: null });
    assert.equal((await getJson(`${s.url}api/runs/1`)).body.run.state, "discarded");
    const twice = await postJson(`${s.url}api/runs/1/discard`, s.tokens.alice);
    assert.equal(twice.status, 409);

    const events = await listEvents(db, {});
    assert.deepEqual(
      eventsOfKind(events, EVENTS.dashboardAction).map((e) => [
        e.data.token,
        e.data.action,
        e.data.target,
        e.data.error ?? null,
      ]),
      [
        [APPROVER, "pause", null, null],
        [APPROVER, "resume", null, null],
        [APPROVER, "cancel-run", "1", "run 1 is proposed, not at work"],
        ["mallory", "vault-approve", "merge-run-1", `"mallory" is not an approver of this project's vault`],
        [APPROVER, "vault-reject", "merge-run-1", "rejecting merge-run-1 needs a reason"],
        [APPROVER, "vault-approve", "merge-run-1", null],
        [APPROVER, "discard-run", "1", null],
        [APPROVER, "discard-run", "1", "run 1 is already discarded"],
      ],
    );
    assert.equal(eventsOfKind(events, EVENTS.factoryPaused).length, 1);
  });

  it("streams the event log, resuming after Last-Event-ID without a gap", async (t) => {
    const s = await served(t);
    const db = s.project.store.db;
    const start = await latestEventId(db);
    const first = readSse(
      `${s.url}api/stream?after=${start}`,
      (m) => m.filter((x) => x.event === "gaffer").length >= 2,
    );
    await appendEvent(db, {}, EVENTS.phaseSet, { from: null, to: "one" } as never);
    await appendEvent(db, {}, EVENTS.phaseSet, { from: "one", to: "two" } as never);
    const got = (await first).filter((m) => m.event === "gaffer");
    assert.deepEqual(
      got.map((m) => Number(m.id)),
      [start + 1, start + 2],
    );
    assert.equal(JSON.parse(got[0]!.data).type, "phase.set");

    // Events appended while no one listens arrive after a reconnect that names the last one seen.
    for (let n = 0; n < 3; n++) await appendEvent(db, {}, EVENTS.factoryPaused, {});
    const resumed = await readSse(
      `${s.url}api/stream`,
      (m) => m.filter((x) => x.event === "gaffer").length >= 3,
      { headers: { "Last-Event-ID": String(start + 2) } },
    );
    assert.deepEqual(
      resumed.filter((m) => m.event === "gaffer").map((m) => Number(m.id)),
      [start + 3, start + 4, start + 5],
    );
  });

  it("serves the pages, and only to loopback names on a loopback bind", async (t) => {
    const s = await served(t);
    const page = await fetch(s.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    const html = await page.text();
    assert.match(html, /<script type="module" crossorigin src="\.\/app\.js"><\/script>/);
    assert.equal(
      (await fetch(`${s.url}app.js`)).headers.get("content-type"),
      "text/javascript; charset=utf-8",
    );

    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.url}api/status`, { headers: { Host: "evil.example:80" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(rebound, 403);
  });

  it("asks a token for reading too when the request does not come from this machine", async (t) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry?.family === "IPv4" && !entry.internal)?.address;
    if (address === undefined) return t.skip("this machine has no address but loopback");
    const p = await proposalProject(t, CI_CHANGE);
    const project = await openProject(p.dir);
    const { secret } = await createToken(project.store.db, "ops");
    const dashboard = await startDashboard(project, { host: address, port: 0, insecure: true });
    t.after(async () => {
      await dashboard.close();
      await project.close();
    });
    const anonymous = await fetch(`${dashboard.url}api/status`);
    assert.equal(anonymous.status, 401);
    const withToken = await fetch(`${dashboard.url}api/status`, {
      headers: { Authorization: `Bearer ${secret}` },
    });
    assert.equal(withToken.status, 200);
  });

  it("refuses a bind others can reach without TLS or --insecure", async (t) => {
    const p = await proposalProject(t, CI_CHANGE);
    const refused = await gaffer(["serve", "--host", "0.0.0.0"], { cwd: p.dir });
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /gaffer serve --host 0\.0\.0\.0: a dashboard others can reach needs TLS/);
    assert.throws(() => checkBind({ host: "0.0.0.0", port: 4848 }), /needs TLS/);
    checkBind({ host: "0.0.0.0", port: 4848, insecure: true });
    checkBind({ host: "0.0.0.0", port: 4848, tls: { cert: "c", key: "k" } });
    checkBind({ host: "127.0.0.1", port: 4848 });
    checkBind({ host: "::1", port: 4848 });
  });
});

describe("gaffer token", () => {
  it("creates a token shown once and kept hashed, lists and revokes it", async (t) => {
    const p = await proposalProject(t, CI_CHANGE);
    const created = await gaffer(["token", "create", "--name", "ops", "--json"], { cwd: p.dir });
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout) as { token: string };
    assert.match(token, /^gft_[A-Za-z0-9_-]{43}$/);
    const again = await gaffer(["token", "create", "--name", "ops"], { cwd: p.dir });
    assert.equal(again.code, 64);
    assert.match(again.stderr, /a live token named "ops" already exists/);
    const project = await openProject(p.dir);
    try {
      const rows = await project.store.db.selectFrom("tokens").selectAll().execute();
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]?.hash, token);
      assert.equal(JSON.stringify(rows).includes(token), false, "the secret is not stored");
    } finally {
      await project.close();
    }
    assert.match((await gaffer(["token", "list"], { cwd: p.dir })).stdout, /ops\s+\S+\s+live/);
    assert.equal((await gaffer(["token", "revoke", "ops"], { cwd: p.dir })).code, 0);
    assert.match((await gaffer(["token", "list"], { cwd: p.dir })).stdout, /ops\s+\S+\s+revoked/);
    const bad = await gaffer(["token", "create", "--name", "a b"], { cwd: p.dir });
    assert.match(bad.stderr, /token name "a b" is not allowed/);
  });
});

const FACTORY_CONFIG = `[sandbox]
mode = "preferred"

[[gate.commands]]
name = "test"
run = "node --test"

[roles.builder]
concurrency = 1
`;

const scenario = (title: string, steps: string) =>
  `${title}\n\n\`\`\`scenario\n[[attempts]]\nsteps = [${steps}]\n\`\`\`\n`;

/** The sample project with a factory's roles (none up), a token, and the dashboard serving it. */
async function sampleServed(t: TestContext): Promise<{ dir: string; url: string; token: string; db: Db }> {
  const dir = tempDir(t, "gaffer-dashboard-act-");
  await createSampleRepository(dir);
  writeFileSync(join(dir, "gaffer.toml"), FACTORY_CONFIG);
  commitAll(dir, "gaffer's configuration");
  const project = await openProject(dir);
  const token = (await createToken(project.store.db, "ops")).secret;
  const dashboard = await startDashboard(project, { host: "127.0.0.1", port: 0 });
  t.after(async () => {
    await dashboard.close();
    await project.close();
  });
  return { dir, url: dashboard.url, token, db: project.store.db };
}

async function runState(url: string, run: number): Promise<string> {
  return (await getJson(`${url}api/runs/${run}`)).body.run?.state;
}

describe("the dashboard's actions that put work back", () => {
  it("re-queues an item that gave up with a fresh run, shows the failure report, and tells a role", async (t) => {
    const s = await sampleServed(t);
    await gaffer(["issue", "add", "say nothing", "--body", scenario("say nothing", `{ say = "nothing" }`)], {
      cwd: s.dir,
    });
    assert.equal((await gaffer(["run", "1"], { cwd: s.dir })).code, 2);
    const gaveUp = await getJson(`${s.url}api/runs/1`);
    assert.equal(gaveUp.body.run.state, "gave-up");
    assert.match(gaveUp.body.report.text, /^# Failure report: run 1, item #1/);
    assert.equal(gaveUp.body.report.truncated, false);
    assert.deepEqual((await getJson(`${s.url}api/runs/1/diff`)).body, {
      lines: [],
      truncated: false,
      none: true,
    });

    const resumeGaveUp = await postJson(`${s.url}api/runs/1/resume`, s.token);
    assert.equal(resumeGaveUp.status, 409);
    assert.match(resumeGaveUp.body.error.message, /run 1 is gave-up: nothing to resume/);

    const requeued = await postJson(`${s.url}api/items/1/requeue`, s.token);
    assert.equal(requeued.status, 202, JSON.stringify(requeued.body));
    assert.equal(requeued.body.started, 1);
    t.after(() => killQuietly(requeued.body.pid));
    await waitFor(async () => (await runState(s.url, 2)) === "gave-up", "the re-queued item's fresh run");
    assert.match(readFileSync(requeued.body.log, "utf8"), /run 2: scripted agent/);

    assert.equal((await gaffer(["issue", "close", "1"], { cwd: s.dir })).code, 0);
    const reopened = await postJson(`${s.url}api/items/1/requeue`, s.token);
    assert.deepEqual([reopened.status, reopened.body], [200, { reopened: 1 }]);
    assert.equal((await getJson(`${s.url}api/items`)).body.items[0].state, "open");

    const told = await postJson(`${s.url}api/roles/builder/tell`, s.token, { message: "look at the README" });
    assert.deepEqual(told.body, { told: "builder", item: 2 });
    const item = (await getJson(`${s.url}api/items`)).body.items.find((i: { id: number }) => i.id === 2);
    assert.deepEqual([item.title, item.labels], ["look at the README", ["role:builder"]]);
    const nobody = await postJson(`${s.url}api/roles/nobody/tell`, s.token, { message: "hi" });
    assert.equal(nobody.status, 400);
    assert.match(nobody.body.error.message, /no role "nobody"/);
    const empty = await postJson(`${s.url}api/roles/builder/tell`, s.token, {});
    assert.match(empty.body.error.message, /the message is empty/);

    assert.deepEqual(
      eventsOfKind(await listEvents(s.db, {}), EVENTS.dashboardAction).map((e) => [
        e.data.token,
        e.data.action,
        e.data.target,
        e.data.error ?? null,
      ]),
      [
        ["ops", "resume-run", "1", "run 1 is gave-up: nothing to resume"],
        ["ops", "requeue-item", "1", null],
        ["ops", "requeue-item", "1", null],
        ["ops", "tell-role", "builder", null],
        ["ops", "tell-role", "nobody", `no role "nobody" in ${join(s.dir, "gaffer.toml")}`],
        ["ops", "tell-role", "builder", "gaffer tell: the message is empty"],
      ],
    );
  });

  it("resumes a cancelled run in its own process, and refuses one at work", async (t) => {
    const s = await sampleServed(t);
    await gaffer(
      ["issue", "add", "wait", "--body", scenario("wait", `{ say = "waiting" }, { sleep = 600000 }`)],
      {
        cwd: s.dir,
      },
    );
    const first = startGaffer(["run", "1"], { cwd: s.dir });
    t.after(() => first.kill("SIGKILL"));
    const firstExit = once(first, "exit");
    await waitForEvent(s.dir, "agent.message");
    const busy = await postJson(`${s.url}api/items/1/requeue`, s.token);
    assert.equal(busy.status, 409);
    assert.match(busy.body.error.message, /item #1's run 1 is agent/);
    assert.equal((await postJson(`${s.url}api/runs/1/resume`, s.token)).status, 409);
    assert.equal((await postJson(`${s.url}api/runs/1/cancel`, s.token)).status, 200);
    await firstExit;
    assert.equal(await runState(s.url, 1), "cancelled");
    const requeueCancelled = await postJson(`${s.url}api/items/1/requeue`, s.token);
    assert.match(requeueCancelled.body.error.hint, /resume run 1 instead/);

    const resumed = await postJson(`${s.url}api/runs/1/resume`, s.token);
    assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
    t.after(() => killQuietly(resumed.body.pid));
    await waitForEvent(s.dir, "run.resumed");
    // The agent is at work again once it says so a second time.
    await waitFor(
      async () => eventsOfKind(await listEvents(s.db, { runId: 1 }), EVENTS.agentMessage).length >= 2,
      "the resumed agent at work",
    );
    assert.equal((await postJson(`${s.url}api/runs/1/cancel`, s.token)).status, 200);
    await waitFor(async () => (await runState(s.url, 1)) === "cancelled", "the resumed run cancelled");
    assert.match(readFileSync(resumed.body.log, "utf8"), /resum/i);
  });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
