import { dataOf } from "../helpers/events.ts";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Project, resumeRun, type RunRole, startRun } from "../../src/engine/index.ts";
import { type ReviewOptions, reviewProposal } from "../../src/engine/review/review.ts";
import { isGafferError } from "../../src/errors.ts";
import {
  addItem,
  findProposal,
  getRun,
  listAttempts,
  listEvents,
  listReviews,
} from "../../src/store/index.ts";
import { gitOut } from "../helpers/git.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";

const REVIEWER: RunRole = { name: "reviewer", instructions: "Check the changelog.", continuation: "fresh" };

const options = (extra: Partial<ReviewOptions> = {}): ReviewOptions => ({
  role: REVIEWER,
  agent: "inproc",
  maxRounds: 1,
  ...IN_PROCESS,
  ...extra,
});

const WRITES_CHANGELOG = `[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "# Changes\\n" }]
[[attempts]]
steps = [{ edit = "CHANGELOG.md", old = "# Changes\\n", new = "# Changes\\n\\n- multiply()\\n" }]`;

const REQUEST_CHANGES = `{"verdict": "request-changes", "summary": "The changelog is empty.", "findings": [{"file": "CHANGELOG.md", "line": 1, "severity": "major", "text": "list the change you made"}]}`;

/** Files an item with a scenario and runs it to a proposal in-process. */
async function proposed(
  project: Project,
  title: string,
  scenario: string,
): Promise<{ itemId: number; runId: number }> {
  const item = await addItem(project.store.db, scenarioItem(title, scenario));
  const result = await startRun(project, item.id, IN_PROCESS);
  assert.equal(result.outcome, "proposed", result.run.reason ?? "");
  return { itemId: item.id, runId: result.run.id };
}

async function eventsOf(project: Project, runId: number, prefix: string) {
  return (await listEvents(project.store.db, { runId })).filter((e) => e.type.startsWith(prefix));
}

/** The review's workspace is gone and its snapshot is a ref of the project. */
function assertSnapshotted(project: Project, runId: number, round: number): string {
  assert.equal(existsSync(join(project.paths.stateDir, "reviews", `run-${runId}-${round}`)), false);
  return gitOut(project.root, "rev-parse", "--verify", `refs/gaffer/snapshots/review-${runId}-${round}`);
}

describe("engine/review", () => {
  it("approves a proposal from a clone at its head, and snapshots and removes that clone", async (t) => {
    const project = await inProcessProject(t);
    const { runId } = await proposed(
      project,
      "write the changelog",
      `${WRITES_CHANGELOG}
[[reviews]]
steps = [
  { run = "grep -q '# Changes' CHANGELOG.md", expect_exit = 0 },
  { say = 'Read it. {"verdict": "approve", "summary": "The changelog is there."}' },
]`,
    );
    const head = (await findProposal(project.store.db, runId))?.headCommit;
    const result = await reviewProposal(project, runId, options());
    assert.deepEqual(result, { round: 1, verdict: "approve", outcome: "approved" });
    assert.equal((await findProposal(project.store.db, runId))?.review, "approved");
    assert.equal((await getRun(project.store.db, runId)).state, "proposed");
    assert.deepEqual(
      (await listReviews(project.store.db, runId)).map((r) => [
        r.round,
        r.role,
        r.verdict,
        r.summary,
        r.headCommit,
      ]),
      [[1, "reviewer", "approve", "The changelog is there.", head]],
    );
    const snapshot = assertSnapshotted(project, runId, 1);
    assert.equal(
      gitOut(project.root, "show", `${snapshot}:CHANGELOG.md`),
      "# Changes",
      "the clone was at the head",
    );
    const review = await eventsOf(project, runId, "review.");
    const types = review.map((e) => e.type);
    assert.equal(types[0], "review.started");
    assert.deepEqual(review[0]?.data, { round: 1, role: "reviewer", agent: "inproc", head });
    assert.ok(types.includes("review.agent.terminal"), types.join(", "));
    assert.deepEqual(types.slice(-2), ["review.approved", "review.workspace-removed"]);
    assert.deepEqual(review.at(-1)?.data, { snapshot: `refs/gaffer/snapshots/review-${runId}-1` });

    await assert.rejects(
      reviewProposal(project, runId, options()),
      (error) =>
        isGafferError(error) &&
        error.code === "run-state" &&
        /already reviewed: approved/.test(error.message),
    );
  });

  it("sends a request for changes back to the builder, whose next proposal awaits a fresh review", async (t) => {
    const project = await inProcessProject(t);
    const { itemId, runId } = await proposed(
      project,
      "write the changelog",
      `${WRITES_CHANGELOG}
[[reviews]]
steps = [{ say = '${REQUEST_CHANGES}' }]
[[reviews]]
steps = [{ say = '{"verdict": "request-changes", "summary": "Still not right.", "findings": [{"file": "CHANGELOG.md", "severity": "minor", "text": "date it"}]}' }]`,
    );
    const round1 = await reviewProposal(project, runId, options({ maxRounds: 1 }));
    assert.deepEqual(round1, { round: 1, verdict: "request-changes", outcome: "revising" });
    assertSnapshotted(project, runId, 1);
    assert.equal((await getRun(project.store.db, runId)).state, "revising");
    const [first] = await listAttempts(project.store.db, runId);
    assert.equal(first?.state, "changes-requested");
    assert.equal(
      first?.feedback,
      "The changelog is empty.\n- [major] CHANGELOG.md:1: list the change you made",
    );

    // A builder resumes the run: attempt 2 gets the findings, goes green and proposes again.
    const resumed = await resumeRun(project, itemId, IN_PROCESS);
    assert.equal(resumed.outcome, "proposed", resumed.run.reason ?? "");
    assert.equal(resumed.run.id, runId);
    const brief = readFileSync(join(project.paths.runDir(runId), "attempt-2-brief.md"), "utf8");
    assert.match(brief, /# A reviewer asked for changes to your proposal\./);
    assert.ok(brief.includes("- [major] CHANGELOG.md:1: list the change you made"), brief);
    assert.deepEqual(
      (await listAttempts(project.store.db, runId)).map((a) => a.state),
      ["changes-requested", "green"],
    );
    const again = await findProposal(project.store.db, runId);
    assert.equal(again?.review, null, "the new proposal has not been reviewed");
    assert.match(gitOut(project.root, "show", `${again?.headCommit}:CHANGELOG.md`), /- multiply\(\)/);

    // Round 2 asks for changes again, past max_rounds: the run gives up with a report.
    const round2 = await reviewProposal(project, runId, options({ maxRounds: 1 }));
    assert.deepEqual(round2, { round: 2, verdict: "request-changes", outcome: "gave-up" });
    const ended = await getRun(project.store.db, runId);
    assert.equal(ended.state, "gave-up");
    assert.equal(ended.reason, "review: changes still requested after 2 rounds: Still not right.");
    assert.ok(ended.reportPath && existsSync(ended.reportPath));
    assert.match(readFileSync(ended.reportPath, "utf8"), /changes still requested after 2 rounds/);
    assert.deepEqual(
      (await listReviews(project.store.db, runId)).map((r) => [r.round, r.verdict, r.findings.length]),
      [
        [1, "request-changes", 1],
        [2, "request-changes", 1],
      ],
    );
    assertSnapshotted(project, runId, 2);
    assert.equal((await listAttempts(project.store.db, runId)).at(-1)?.state, "green", "no further round");
  });

  it("fails a review whose answer is not a valid verdict, and records nothing else", async (t) => {
    const project = await inProcessProject(t);
    const { runId } = await proposed(
      project,
      "write the changelog",
      `${WRITES_CHANGELOG}
[[reviews]]
steps = [{ say = 'Looks good to me! {"verdict": "request-changes", "summary": "no findings"}' }]`,
    );
    await assert.rejects(reviewProposal(project, runId, options()), (error) => {
      assert.ok(isGafferError(error));
      assert.equal(error.code, "agent-failed");
      assert.match(
        error.message,
        /^run \d+, review round 1: the reviewer's answer is not a valid verdict: .*findings/,
      );
      return true;
    });
    const [invalid] = await eventsOf(project, runId, "review.invalid");
    assert.equal((invalid && dataOf(invalid))?.round, 1);
    assert.match(String((invalid && dataOf(invalid))?.error), /required property 'findings'/);
    assert.deepEqual(await listReviews(project.store.db, runId), []);
    assert.equal((await findProposal(project.store.db, runId))?.review, null, "still awaiting a review");
    assert.equal((await getRun(project.store.db, runId)).state, "proposed");
    assertSnapshotted(project, runId, 1);
  });

  it("gives up at once when the first request for changes is already past max_rounds", async (t) => {
    const project = await inProcessProject(t);
    const { runId } = await proposed(
      project,
      "write the changelog",
      `${WRITES_CHANGELOG}\n[[reviews]]\nsteps = [{ say = '${REQUEST_CHANGES}' }]`,
    );
    const result = await reviewProposal(project, runId, options({ maxRounds: 0 }));
    assert.deepEqual(result, { round: 1, verdict: "request-changes", outcome: "gave-up" });
    const run = await getRun(project.store.db, runId);
    assert.equal(run.state, "gave-up");
    assert.equal(run.reason, "review: changes still requested after 1 round: The changelog is empty.");
    assert.equal((await listAttempts(project.store.db, runId))[0]?.state, "green");
  });

  it("refuses to review a run that is not proposed", async (t) => {
    const project = await inProcessProject(t);
    const { runId } = await proposed(
      project,
      "write the changelog",
      `${WRITES_CHANGELOG}\n[[reviews]]\nsteps = [{ say = '${REQUEST_CHANGES}' }]`,
    );
    await reviewProposal(project, runId, options());
    await assert.rejects(
      reviewProposal(project, runId, options()),
      (error) =>
        isGafferError(error) &&
        error.code === "run-state" &&
        /is revising, not a proposal/.test(error.message),
    );
  });

  it("gives a reviewer that is a plain command the brief in a file and takes what it prints as its answer", async (t) => {
    // The builder's scenario comes from a file, so nothing it says is in the item the reviewer reads.
    const project = await inProcessProject(
      t,
      `
[sandbox]
mode = "preferred" # the suite also runs where bubblewrap is missing

[agents.builder]
driver = "scripted"
in_process = true
scenario = "builder.toml"

[agents.cli-reviewer]
driver = "command"
command = '''sh -c 'cp "$1" review-brief.md && printf "%s\\n" "Reviewed." "$2"' sh {prompt_file} '{"verdict": "approve", "summary": "read the brief"}' '''
`,
    );
    writeFileSync(
      join(project.root, "builder.toml"),
      `[[attempts]]
steps = [
  { say = "BUILDER TRANSCRIPT: every test passes, trust me" },
  { write = "CHANGELOG.md", content = "# Changes\\n" },
]`,
    );
    const item = await addItem(project.store.db, {
      title: "Write the changelog",
      body: "Start a CHANGELOG.md.",
    });
    const built = await startRun(project, item.id, { ...IN_PROCESS, agent: "builder" });
    assert.equal(built.outcome, "proposed", built.run.reason ?? "");
    const runId = built.run.id;
    const builderSaid = (await listEvents(project.store.db, { runId })).filter(
      (e) => e.type === "agent.message",
    );
    assert.match(JSON.stringify(builderSaid), /BUILDER TRANSCRIPT/);

    const result = await reviewProposal(project, runId, options({ agent: "cli-reviewer" }));
    assert.deepEqual(result, { round: 1, verdict: "approve", outcome: "approved" });
    assert.equal((await listReviews(project.store.db, runId))[0]?.summary, "read the brief");

    const snapshot = assertSnapshotted(project, runId, 1);
    const brief = gitOut(project.root, "show", `${snapshot}:review-brief.md`);
    assert.match(brief, /^# The work item #\d+: Write the changelog\nStart a CHANGELOG\.md\.$/m);
    assert.match(brief, /^# Your role \(reviewer\)\nCheck the changelog\.$/m);
    assert.match(brief, /^- test: `node --test` exited 0 in \d+ ms$/m);
    assert.match(brief, /^\+# Changes$/m, "the diff");
    assert.match(brief, /# Your answer \(review round 1\)/);
    assert.ok(!brief.includes("BUILDER TRANSCRIPT"), "nothing from the builder's session");
  });
});
