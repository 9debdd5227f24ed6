import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePlan, workTasks } from "../../src/tracks/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { TRACK, trackProject } from "./fixture.ts";

const BRANCH = `tier2/${TRACK}`;
const STATE = join("tests", "artifacts", "tier2_state", TRACK, "state.json");

const subjects = (dir: string) => gitOut(dir, "log", "--reverse", "--format=%s", BRANCH, "^main").split("\n");
const onBranch = (dir: string, path: string) => gitOut(dir, "show", `${BRANCH}:${path}`);

describe("track run: a three-task track to completion", () => {
  it("proves each task red then green, commits it with its note and marker, checkpoints each phase, and reports", async (t) => {
    const dir = trackProject(t, { eol: "\r\n" });
    const main = gitOut(dir, "rev-parse", "main");
    const result = await gaffer(["track", "run", TRACK, "--json"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { outcome: string }).outcome, "completed");

    assert.deepEqual(subjects(dir), [
      "feat(demo): Feature one",
      "conductor(plan): Mark task 'Feature one' as complete",
      "feat(demo): Feature two",
      "conductor(plan): Mark task 'Feature two' as complete",
      "conductor(checkpoint): Checkpoint end of Phase 1",
      "conductor(plan): Mark phase 'Basics' as complete",
      "feat(demo): Feature three",
      "conductor(plan): Mark task 'Feature three' as complete",
      "conductor(checkpoint): Checkpoint end of Phase 2",
      "conductor(plan): Mark phase 'More' as complete",
      `conductor(track): Complete track '${TRACK}'`,
    ]);
    const commits = gitOut(dir, "log", "--reverse", "--format=%H", BRANCH, "^main").split("\n");
    const [one, , two, , checkpoint1, , three, , checkpoint2] = commits as string[];
    for (const [n, commit] of [one, two, three].entries()) {
      assert.deepEqual(
        gitOut(dir, "diff-tree", "--no-commit-id", "--name-only", "-r", commit as string).split("\n"),
        [`src/f${n + 1}`, `tests/t${n + 1}.sh`],
        "a task's commit holds its test and its code, nothing of gaffer's",
      );
      const note = gitOut(dir, "notes", "show", commit as string);
      assert.match(note, new RegExp(`^Task ${n < 2 ? `1\\.${n + 1}` : "2\\.1"}: Feature`));
      assert.match(note, /Red: gaffer run \d+, attempt 1: the tests failed/);
      assert.match(note, /Green: gaffer run \d+, attempt 1: the gate passed/);
    }
    assert.match(gitOut(dir, "notes", "show", checkpoint1 as string), /Verified by gaffer: the gate passed/);

    const planText = onBranch(dir, `conductor/tracks/${TRACK}/plan.md`);
    const plan = parsePlan(planText);
    assert.deepEqual(
      workTasks(plan).map(({ task }) => [task.key, task.status, task.commit]),
      [
        ["1.1", "done", one?.slice(0, 7)],
        ["1.2", "done", two?.slice(0, 7)],
        ["2.1", "done", three?.slice(0, 7)],
      ],
    );
    assert.deepEqual(
      plan.phases.map((phase) => phase.checkpoint),
      [checkpoint1?.slice(0, 7), checkpoint2?.slice(0, 7)],
    );
    assert.deepEqual(
      plan.phases.flatMap((phase) => phase.tasks.filter((task) => task.verifies).map((task) => task.status)),
      ["todo", "todo"],
      "manual verification stays the user's",
    );
    const original = gitOut(dir, "show", `main:conductor/tracks/${TRACK}/plan.md`);
    assert.equal(planText.split("\r\n").length, original.split("\r\n").length, "every line keeps its CRLF");

    const report = onBranch(dir, `docs/reports/TRACK_COMPLETION_${TRACK}.md`);
    assert.match(report, /verify_complete: checking 3 features\r?\nok tests\/t1\.sh/);
    assert.match(report, /verify_complete: all 3 features present/);
    assert.match(report, /`sh verify_complete.sh`: exit 0/);
    assert.match(onBranch(dir, `conductor/tracks/${TRACK}/state.toml`), /^status = "completed"\r$/m);
    assert.match(onBranch(dir, `conductor/tracks/${TRACK}/metadata.json`), /"status": "completed"/);

    assert.equal(gitOut(dir, "rev-parse", "main"), main, "nothing merged");
    const state = JSON.parse(readFileSync(join(dir, STATE), "utf8")) as {
      status: string;
      completed: unknown[];
    };
    assert.equal(state.status, "completed");
    assert.equal(state.completed.length, 3);
    assert.ok(!existsSync(join(dir, "tests", "artifacts", "tier2_failures")), "no failure report");

    const again = await gaffer(["track", "run", TRACK], { cwd: dir });
    assert.equal(again.code, 64);
    assert.match(
      again.stderr,
      new RegExp(`has run before .*: its state is .*${STATE.replaceAll("/", "\\/")}`),
    );
    assert.match(again.stderr, /--resume/);

    const listed = await gaffer(["track", "list", "--json"], { cwd: dir });
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string; done: number; total: number; run: string }[]).map((v) => [
        v.id,
        v.done,
        v.total,
        v.run,
      ]),
      [[TRACK, 3, 3, "completed"]],
    );
    const shown = await gaffer(["track", "show", TRACK], { cwd: dir });
    assert.match(shown.stdout, new RegExp(`\\[x\\] 1\\.1 Feature one \\[${one?.slice(0, 7)}\\]`));
    assert.match(
      shown.stdout,
      /\[ \] 1\.3 Conductor - User Manual Verification 'Basics' .*\(manual verification\)/,
    );
    const banner = await gaffer(["track", "stopped"], { cwd: dir });
    assert.deepEqual([banner.code, banner.stdout], [0, ""], "no banner when nothing stopped");

    const review = await gaffer(["track", "review", TRACK], { cwd: dir });
    assert.match(review.stdout, new RegExp(`git merge --no-ff ${BRANCH.replace("/", "\\/")}`));
    assert.deepEqual(readdirSync(join(dir, "tests", "artifacts")), ["tier2_state"]);

    const merged = await gaffer(
      ["track", "review", TRACK, "--merge", "--as", "tier1@example.com", "--json"],
      {
        cwd: dir,
      },
    );
    assert.equal(merged.code, 0, merged.stderr);
    const action = JSON.parse(merged.stdout) as {
      state: string;
      request: { tier: string; merge: { files: number } };
    };
    assert.deepEqual([action.state, action.request.tier], ["fired", "low"]);
    assert.equal(action.request.merge.files, 10, "classified by the whole track's diff from its base");
    assert.deepEqual(gitOut(dir, "rev-list", "--parents", "-n", "1", "main").split(" ").slice(1), [
      main,
      gitOut(dir, "rev-parse", BRANCH),
    ]);
  });
});
