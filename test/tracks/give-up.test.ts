import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { agentScenario, setAgent, TRACK, trackProject } from "./fixture.ts";

const BRANCH = `tier2/${TRACK}`;
const FAILURES = join("tests", "artifacts", "tier2_failures");
const SECTIONS = [
  "## 1. Header",
  "## 2. Tasks completed",
  "## 3. Current task",
  "## 4. Last 3 failures",
  "## 5. Failcount state",
  "## 6. Git state",
  "## 7. Recommendation",
];

/** The one failure report written, its seven sections checked, and the .STOPPED flag next to it. */
function failureReport(dir: string): string {
  const files = readdirSync(join(dir, FAILURES));
  const reports = files.filter((name) => name.endsWith(".md"));
  assert.equal(reports.length, 1, files.join(", "));
  assert.match(reports[0] ?? "", new RegExp(`^${TRACK}_\\d{8}_\\d{6}\\.md$`));
  assert.ok(files.includes(".STOPPED"));
  const report = readFileSync(join(dir, FAILURES, reports[0] as string), "utf8");
  assert.deepEqual(
    report.split("\n").filter((line) => line.startsWith("## ")),
    SECTIONS,
  );
  return report;
}

/** What the agent never committed: the track's branch holds no task of the given number. */
const taskCommits = (dir: string) =>
  gitOut(dir, "log", "--format=%s", BRANCH, "^main")
    .split("\n")
    .filter((subject) => subject.startsWith("feat("));

describe("track run: gaffer gives up, and says why", () => {
  it("on red: tests that pass before the task is implemented count, three in a row stop the track", async (t) => {
    const dir = trackProject(t, { red: agentScenario('{ run = "sh tools/agent.sh red-passing" }') });
    const result = await gaffer(["track", "run", TRACK], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stdout,
      /gave up: red-limit: 3 consecutive red-phase failures \(limit 3\) on task 1\.1/,
    );
    const report = failureReport(dir);
    assert.match(report, /- Give-up signal: red-limit/);
    assert.match(report, /## 3\. Current task\n\n1\.1 Feature one: red phase, gaffer run \d+/);
    assert.match(report, /\| consecutive red-phase failures \| 3 \| 3 \|/);
    assert.match(report, /The tests must fail before the task is implemented/);
    assert.deepEqual(taskCommits(dir), []);

    const banner = await gaffer(["track", "stopped"], { cwd: dir });
    assert.match(banner.stdout, new RegExp(`Tier 2 stopped: track ${TRACK} gave up \\(red-limit\\)`));

    setAgent(dir, "red", agentScenario('{ run = "sh tools/agent.sh red" }'));
    const resumed = await gaffer(["track", "run", TRACK, "--resume"], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(!existsSync(join(dir, FAILURES, ".STOPPED")), "resuming clears the flag");
    assert.equal(taskCommits(dir).length, 3);
  });

  it("on green, and an agent claiming green while the tests are red ends red", async (t) => {
    const dir = trackProject(t, {
      green: agentScenario(
        '{ run = "sh tools/agent.sh green-wrong" }, { say = "Implemented. All 3 tests pass!" }',
      ),
    });
    const result = await gaffer(["track", "run", TRACK, "--json"], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    const outcome = JSON.parse(result.stdout) as {
      signal: string;
      state: { consecutive_green_failures: number };
    };
    assert.equal(outcome.signal, "green-limit");
    assert.equal(outcome.state.consecutive_green_failures, 3);
    const report = failureReport(dir);
    assert.match(report, /- Give-up signal: green-limit: 3 consecutive green-phase failures/);
    assert.match(
      report,
      /gate step "test" failed: sh run-tests\.sh \(exit 1\)\nFailing tests:\n- tests\/t1\.sh/,
      "the gate's own verdict",
    );
    assert.doesNotMatch(report, /All 3 tests pass/);
    assert.deepEqual(taskCommits(dir), [], "nothing the agent said made a commit");
    assert.match(
      gitOut(dir, "show", `${BRANCH}:conductor/tracks/${TRACK}/plan.md`),
      /- \[ \] Task: Feature one\n/,
      "nor a marker",
    );
  });

  it("on no progress: gaffer's watchdog stops a stalled agent, whatever the agent does", async (t) => {
    // The first phase stalls, so the watchdog's few seconds run out there however slow the machine.
    const dir = trackProject(t, {
      red: agentScenario('{ say = "Thinking…" }, { stall = true }'),
      failcount: "# Tier 2 thresholds\nno_progress_minutes = 0.05\n",
      notify: 'echo "$GAFFER_TRACK $GAFFER_TRACK_OUTCOME" > .gaffer/notified',
    });
    const result = await gaffer(["track", "run", TRACK, "--notify"], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /gave up: no-progress: no commit and no gate meeting its goal for 0 minutes/);
    const report = failureReport(dir);
    assert.match(report, /Thresholds from scripts\/tier2\/failcount\.toml/);
    assert.match(report, /## 3\. Current task\n\n1\.1 Feature one: red phase/);
    const state = JSON.parse(
      readFileSync(join(dir, "tests", "artifacts", "tier2_state", TRACK, "state.json"), "utf8"),
    ) as { status: string; stopped: { signal: string } };
    assert.equal(state.status, "stopped");
    assert.equal(state.stopped.signal, "no-progress");
    assert.equal(
      readFileSync(join(dir, ".gaffer", "notified"), "utf8"),
      `${TRACK} gave-up\n`,
      "--notify ran [tracks] notify",
    );
  });
});
