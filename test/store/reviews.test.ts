import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it, type TestContext } from "node:test";
import { Kysely, SqliteDialect } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import * as initial from "../../src/store/migrations/001-initial.ts";
import * as proposalFindings from "../../src/store/migrations/002-proposal-findings.ts";
import * as usage from "../../src/store/migrations/003-usage.ts";
import { nodeSqliteDatabase } from "../../src/store/sqlite-driver.ts";
import {
  addItem,
  type Db,
  findProposal,
  getRun,
  listAttempts,
  listEvents,
  listReviews,
  openStore,
  recordProposal,
  recordReview,
  type Run,
  type ReviewFinding,
  startAttempt,
  updateAttempt,
} from "../../src/store/index.ts";
import { isGafferError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { createTestRun, putRunInState } from "../helpers/store.ts";

const T0 = Date.UTC(2025, 0, 1);
const HEAD = "a".repeat(40);
const FINDING: ReviewFinding = { file: "src/calc.js", line: 3, severity: "major", text: "divide by zero" };

async function openTempStore(t: TestContext): Promise<Db> {
  const store = await openStore(join(tempDir(t), "gaffer.db"));
  t.after(() => store.close());
  return store.db;
}

/** A run whose attempt 1 went green and was proposed, as the engine leaves it. */
async function proposedRun(db: Db): Promise<Run> {
  const item = await addItem(db, { title: "add multiply" });
  const created = await createTestRun(db, item.id, {
    branch: "gaffer/1-add-multiply",
    workspace: "/tmp/ws",
    maxFixAttempts: 2,
    role: "builder",
  });
  await startAttempt(db, created, "me", { number: 1, treeHash: "tree" });
  await updateAttempt(db, created.id, 1, { state: "green", stopReason: "end_turn", changed: true });
  await recordProposal(db, {
    runId: created.id,
    itemId: item.id,
    branch: created.branch,
    baseCommit: created.baseCommit,
    headCommit: HEAD,
    commits: [{ sha: HEAD, subject: "add multiply", author: "a" }],
    diffStat: " 1 file changed",
    evidence: [],
    findings: [],
    sandbox: "off",
  });
  return putRunInState(db, created.id, "proposed");
}

const review = (round: number, verdict: "approve" | "request-changes", findings: ReviewFinding[] = []) => ({
  round,
  role: "reviewer",
  headCommit: HEAD,
  verdict,
  summary: verdict === "approve" ? "fine" : "not yet",
  findings,
});

async function eventTypes(db: Db, runId: number): Promise<string[]> {
  return (await listEvents(db, { runId })).map((e) => e.type);
}

describe("store/reviews", () => {
  it("approves: the verdict is kept, the proposal is ready for a human, the run stays proposed", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    await recordReview(db, run, review(1, "approve"), undefined, T0);
    assert.deepEqual(await listReviews(db, run.id), [
      {
        runId: run.id,
        round: 1,
        role: "reviewer",
        headCommit: HEAD,
        verdict: "approve",
        summary: "fine",
        findings: [],
        createdAt: T0,
      },
    ]);
    assert.equal((await findProposal(db, run.id))?.review, "approved");
    assert.equal((await getRun(db, run.id)).state, "proposed");
    const [event] = (await listEvents(db, { runId: run.id })).filter((e) => e.type.startsWith("review."));
    assert.deepEqual(
      [event?.type, event?.data],
      ["review.approved", { round: 1, role: "reviewer", findings: 0 }],
    );
  });

  it("asks for changes: the green attempt carries the findings and the run waits for a builder", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    await recordReview(
      db,
      run,
      review(1, "request-changes", [FINDING]),
      { then: "revise", feedback: "- [major] src/calc.js:3: divide by zero" },
      T0,
    );
    const [attempt] = await listAttempts(db, run.id);
    assert.equal(attempt?.state, "changes-requested");
    assert.equal(attempt?.feedback, "- [major] src/calc.js:3: divide by zero");
    assert.equal(attempt?.endedAt, T0);
    const revising = await getRun(db, run.id);
    assert.equal(revising.state, "revising");
    assert.equal(revising.endedAt, T0, "revising is resumable, so the run has ended for now");
    assert.equal((await findProposal(db, run.id))?.review, "changes-requested");
    assert.deepEqual((await listReviews(db, run.id))[0]?.findings, [FINDING]);
    const types = await eventTypes(db, run.id);
    assert.deepEqual(types.slice(-2), ["review.changes-requested", "run.revising"]);
  });

  it("gives up when no rounds are left, with the reason and the report", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    await recordReview(
      db,
      run,
      review(3, "request-changes", [FINDING]),
      { then: "give-up", reason: "review: changes still requested", report: "/tmp/report.md" },
      T0,
    );
    const ended = await getRun(db, run.id);
    assert.equal(ended.state, "gave-up");
    assert.equal(ended.reason, "review: changes still requested");
    assert.equal(ended.reportPath, "/tmp/report.md");
    assert.equal((await listAttempts(db, run.id))[0]?.state, "green", "no builder round follows");
    const [gaveUp] = (await listEvents(db, { runId: run.id })).filter((e) => e.type === "run.gave-up");
    assert.deepEqual(gaveUp?.data, {
      state: "gave-up",
      reason: "review: changes still requested",
      report: "/tmp/report.md",
    });
  });

  it("records nothing when a request for changes says nothing of what follows", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    const before = await eventTypes(db, run.id);
    await assert.rejects(recordReview(db, run, review(1, "request-changes", [FINDING])), /what follows/);
    assert.deepEqual(await listReviews(db, run.id), []);
    assert.equal((await findProposal(db, run.id))?.review, null);
    assert.deepEqual(await eventTypes(db, run.id), before);
  });

  it("refuses a verdict on a run that is no longer proposed, and rolls the whole verdict back", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    await recordReview(db, run, review(1, "request-changes", [FINDING]), { then: "revise", feedback: "x" });
    // A second reviewer with a stale view of the run.
    await assert.rejects(
      recordReview(db, run, review(1, "request-changes", [FINDING]), { then: "revise", feedback: "y" }),
      (error) => isGafferError(error) && error.code === "lease-lost",
    );
    assert.equal((await listReviews(db, run.id)).length, 1);
    assert.equal((await listAttempts(db, run.id))[0]?.feedback, "x");
  });

  it("takes no approval for a proposal that moved on while it was reviewed", async (t) => {
    const db = await openTempStore(t);
    const lostLease = (error: unknown) =>
      isGafferError(error) &&
      error.code === "lease-lost" &&
      /no longer awaiting a review/.test(error.message);

    // A second reviewer of the same round, after the first one's verdict.
    const judged = await proposedRun(db);
    await recordReview(db, judged, review(1, "approve"));
    await assert.rejects(recordReview(db, judged, review(1, "approve")), lostLease);

    // The builder proposed a new head since the reviewer cloned the old one.
    const revised = await proposedRun(db);
    await recordProposal(db, {
      runId: revised.id,
      itemId: revised.itemId,
      branch: revised.branch,
      baseCommit: revised.baseCommit,
      headCommit: "c".repeat(40),
      commits: [],
      diffStat: "",
      evidence: [],
      findings: [],
      sandbox: "off",
    });
    await assert.rejects(recordReview(db, revised, review(1, "approve")), lostLease);

    // The run was discarded during the review.
    const discarded = await proposedRun(db);
    await putRunInState(db, discarded.id, "discarded");
    await assert.rejects(recordReview(db, discarded, review(1, "approve")), lostLease);

    for (const run of [revised, discarded]) {
      assert.deepEqual(await listReviews(db, run.id), []);
      assert.equal((await findProposal(db, run.id))?.review, null);
      assert.ok(!(await eventTypes(db, run.id)).includes("review.approved"));
    }
    assert.equal((await listReviews(db, judged.id)).length, 1);
  });

  it("lists a run's reviews by round", async (t) => {
    const db = await openTempStore(t);
    const run = await proposedRun(db);
    await recordReview(db, run, review(1, "request-changes", [FINDING]), { then: "revise", feedback: "x" });
    // The builder revised and proposed again; the upserted proposal awaits a fresh review.
    await putRunInState(db, run.id, "proposed");
    await recordProposal(db, {
      runId: run.id,
      itemId: run.itemId,
      branch: run.branch,
      baseCommit: run.baseCommit,
      headCommit: "b".repeat(40),
      commits: [],
      diffStat: "",
      evidence: [],
      findings: [],
      sandbox: "off",
    });
    assert.equal((await findProposal(db, run.id))?.review, null);
    await recordReview(db, { ...run, attempt: 2 }, { ...review(2, "approve"), headCommit: "b".repeat(40) });
    assert.deepEqual(
      (await listReviews(db, run.id)).map((r) => [r.round, r.verdict, r.headCommit.slice(0, 1)]),
      [
        [1, "request-changes", "a"],
        [2, "approve", "b"],
      ],
    );
    assert.equal((await findProposal(db, run.id))?.review, "approved");
  });
});

/** A store as gaffer wrote it before the factory (migrations 001 to 003), open for raw writes. */
async function storeBeforeFactory(
  t: TestContext,
): Promise<{ path: string; database: DatabaseSync; close(): Promise<void> }> {
  const path = join(tempDir(t), "gaffer.db");
  const database = new DatabaseSync(path);
  const old = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: nodeSqliteDatabase(database, path) }),
  });
  const upTo003: Record<string, Migration> = {
    "001-initial": { up: (db) => initial.up(db, "sqlite") },
    "002-proposal-findings": { up: (db) => proposalFindings.up(db) },
    "003-usage": { up: (db) => usage.up(db, "sqlite") },
  };
  const migrated = await new Migrator({
    db: old,
    provider: { getMigrations: async () => upTo003 },
  }).migrateToLatest();
  assert.equal(migrated.error, undefined);
  return { path, database, close: () => old.destroy() };
}

describe("store/migrations/004-factory", () => {
  it("upgrades an older store: new runs get a role, proposals a review, verdicts a table", async (t) => {
    const old = await storeBeforeFactory(t);
    await old.close();
    const store = await openStore(old.path);
    t.after(() => store.close());
    const run = await proposedRun(store.db);
    assert.equal(run.role, "builder");
    assert.equal((await findProposal(store.db, run.id))?.review, null);
    await recordReview(store.db, run, review(1, "approve"));
    assert.equal((await listReviews(store.db, run.id)).length, 1);
    assert.equal((await findProposal(store.db, run.id))?.review, "approved");
  });

  it("keeps rows written before it: their role and review are null", async (t) => {
    const old = await storeBeforeFactory(t);
    old.database.exec(`
      INSERT INTO items (id, title, body, labels, priority, depends_on, state, source, created_at, updated_at)
        VALUES (1, 'old', '', '[]', 0, '[]', 'open', NULL, 1, 1);
      INSERT INTO runs (id, item_id, state, agent, branch, base_branch, base_commit, workspace, attempt,
          max_fix_attempts, owner, reason, report_path, sandbox, created_at, updated_at, ended_at)
        VALUES (1, 1, 'proposed', 'scripted', 'gaffer/1', 'main', '${"0".repeat(40)}', '', 1, 2, NULL, NULL,
          NULL, 'off', 1, 1, 1);
      INSERT INTO proposals (run_id, item_id, branch, base_commit, head_commit, commits, diff_stat, evidence,
          findings, sandbox, created_at)
        VALUES (1, 1, 'gaffer/1', '${"0".repeat(40)}', '${HEAD}', '[]', '', '[]', '[]', 'off', 1);
    `);
    await old.close();

    const store = await openStore(old.path);
    t.after(() => store.close());
    const run = await getRun(store.db, 1);
    assert.equal(run.role, null);
    assert.equal(run.state, "proposed");
    assert.equal((await findProposal(store.db, 1))?.review, null);
    await recordReview(store.db, run, review(1, "request-changes", [FINDING]), {
      then: "give-up",
      reason: "r",
      report: "p",
    });
    assert.equal((await getRun(store.db, 1)).state, "gave-up");
  });
});
