import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  markPhaseCheckpoint,
  markTaskDone,
  parseMetadata,
  parsePlan,
  parseRegistry,
  renderPlan,
  setTopLevelString,
  setTrackStatus,
  workTasks,
} from "../../src/tracks/index.ts";

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const crlf = (text: string) => text.replaceAll("\n", "\r\n");

/** The same golden test on the fixture as written (LF) and with every line ending CRLF. */
const endings = [
  { name: "LF", convert: (text: string) => text },
  { name: "CRLF", convert: crlf },
];

describe("tracks/plan", () => {
  for (const { name, convert } of endings) {
    it(`reads and writes plan.md back byte for byte (${name})`, () => {
      const text = convert(fixture("plan.md"));
      assert.equal(renderPlan(parsePlan(text)), text);
    });

    it(`marks a task done: its marker, its commit, its open sub-tasks, nothing else (${name})`, () => {
      const plan = parsePlan(convert(fixture("plan.md")));
      const task = workTasks(plan).find((entry) => entry.task.key === "2.1")?.task;
      assert.ok(task);
      const done = markTaskDone(plan, task, "abcdef1234567890");
      assert.equal(renderPlan(done), convert(fixture("plan.after-2.1.md")));
    });

    it(`records a phase checkpoint on its heading only (${name})`, () => {
      const plan = parsePlan(convert(fixture("plan.md")));
      const phase = plan.phases[1];
      assert.ok(phase);
      assert.equal(
        renderPlan(markPhaseCheckpoint(plan, phase, "9876543210")),
        convert(fixture("plan.after-checkpoint-2.md")),
      );
    });
  }

  it("reads phases, markers, commits, sub-tasks and the verification meta-tasks", () => {
    const plan = parsePlan(fixture("plan.md"));
    assert.deepEqual(
      plan.phases.map((p) => [p.number, p.name, p.checkpoint, p.tasks.length]),
      [
        [1, "Data model", "1a2b3c4", 3],
        [2, "Export command", undefined, 4],
        [3, "Docs", undefined, 1],
      ],
    );
    const [first, second] = plan.phases;
    assert.deepEqual(
      first?.tasks.map((t) => [t.key, t.status, t.name, t.commit, t.verifies]),
      [
        ["1.1", "done", "Write tests for the Row type", "0f1e2d3", undefined],
        ["1.2", "done", "Implement the Row type", "4c5d6e7", undefined],
        [
          "1.3",
          "done",
          "Conductor - User Manual Verification 'Data model' (Protocol in workflow.md)",
          undefined,
          "Data model",
        ],
      ],
    );
    const export_ = second?.tasks[0];
    assert.equal(export_?.status, "in-progress");
    assert.deepEqual(
      export_?.subtasks.map((s) => [s.key, s.status, s.name]),
      [
        ["2.1.1", "todo", "Parse the flag"],
        ["2.1.2", "in-progress", "Write the header line"],
      ],
    );
    assert.match(export_?.text ?? "", /Free text under a sub-task/);
    assert.equal(second?.tasks[2]?.name, "A star bullet counts too");
    assert.deepEqual(
      workTasks(plan).map((entry) => entry.task.key),
      ["1.1", "1.2", "2.1", "2.2", "2.3", "3.1"],
      "the verification meta-tasks are not work; a line in a code fence or a table is not a task",
    );
  });

  it("keeps a byte-order mark, mixed endings, trailing spaces and a missing final newline", () => {
    const text =
      "\uFEFF## Phase 1: Only  \r\n\r\n- [ ] Task: First\t\n- [ ] Task: Second\r\n<!-- a comment -->\r\n- [ ] Third";
    const plan = parsePlan(text);
    assert.equal(renderPlan(plan), text);
    assert.equal(plan.phases[0]?.name, "Only");
    const [, second, third] = workTasks(plan).map((entry) => entry.task);
    assert.ok(second && third);
    assert.equal(
      renderPlan(markTaskDone(markTaskDone(plan, second, "1234567"), third, "7654321")),
      "\uFEFF## Phase 1: Only  \r\n\r\n- [ ] Task: First\t\n- [x] Task: Second [1234567]\r\n<!-- a comment -->\r\n- [x] Third [7654321]",
    );
    const phase = plan.phases[0];
    assert.ok(phase);
    assert.equal(
      renderPlan(markPhaseCheckpoint(plan, phase, "abcdef0")).split("\r\n")[0],
      "\uFEFF## Phase 1: Only [checkpoint: abcdef0]  ",
    );
  });

  it("replaces an earlier commit or checkpoint rather than adding a second", () => {
    const plan = parsePlan("## Phase 1: A [checkpoint: 1111111]\n- [x] Task: T [2222222]\n");
    const task = plan.phases[0]?.tasks[0];
    const phase = plan.phases[0];
    assert.ok(task && phase);
    assert.equal(
      renderPlan(markPhaseCheckpoint(markTaskDone(plan, task, "3333333"), phase, "4444444")),
      "## Phase 1: A [checkpoint: 4444444]\n- [x] Task: T [3333333]\n",
    );
  });

  it("puts tasks written before any heading in a phase of their own", () => {
    const plan = parsePlan("# Plan\n- [ ] Task: Loose\n");
    assert.deepEqual(
      plan.phases.map((p) => [p.line, p.name, p.tasks.map((t) => t.key)]),
      [[-1, "Plan", ["1.1"]]],
    );
  });
});

describe("tracks/registry", () => {
  for (const { name, convert } of endings) {
    it(`reads tracks.md entries and their links (${name})`, () => {
      assert.deepEqual(parseRegistry(convert(fixture("tracks.md"))), [
        { archived: true, description: "Export to CSV", id: "csv_export_20260101" },
        { archived: false, description: "Import from CSV", id: "csv_import_20260102" },
      ]);
    });
  }
});

describe("tracks/metadata", () => {
  const metadata = [
    "{",
    '  "track_id": "csv_import_20260102",',
    '  "type": "feature",',
    '  "status": "in_progress",',
    '  "loop_state": { "status": "NOT_STARTED", "notes": ["a \\"quoted\\" status"] },',
    '  "updated_at": "2026-01-02T00:00:00Z",',
    '  "description": "Import from CSV"',
    "}",
  ].join("\n");

  for (const { name, convert } of endings) {
    it(`sets a top-level string and keeps every other byte, nested keys of the same name too (${name})`, () => {
      const text = convert(metadata);
      const changed = setTopLevelString(text, "status", "completed");
      assert.equal(changed, text.replace('"status": "in_progress"', '"status": "completed"'));
      assert.equal(setTopLevelString(text, "missing", "x"), text, "a key the file lacks is not added");
    });
  }

  it("reads the fields Conductor writes", () => {
    assert.deepEqual(parseMetadata(metadata, "metadata.json"), {
      track_id: "csv_import_20260102",
      type: "feature",
      status: "in_progress",
      updated_at: "2026-01-02T00:00:00Z",
      description: "Import from CSV",
    });
    assert.throws(() => parseMetadata("{", "m.json"), /m\.json: not JSON/);
  });
});

describe("tracks/state.toml", () => {
  const state = [
    "# manual_slop track state",
    'title = "Import from CSV"',
    'status = "in_progress"   # set by Tier 2',
    "",
    "[[tasks]]",
    'id = "t1"',
    'status = "Done"',
    "depends_on = []",
  ].join("\n");

  for (const { name, convert } of endings) {
    it(`sets the track's status, not a task's, comment and spacing kept (${name})`, () => {
      const text = convert(state);
      assert.equal(
        setTrackStatus(text, "completed"),
        text.replace('status = "in_progress"', 'status = "completed"'),
      );
    });

    it(`adds a status at the end of the root table when there is none (${name})`, () => {
      const text = convert('title = "T"\n\n[[tasks]]\nstatus = "Ready"\n');
      assert.equal(
        setTrackStatus(text, "completed"),
        convert('title = "T"\nstatus = "completed"\n\n[[tasks]]\nstatus = "Ready"\n'),
      );
    });
  }

  it("reads the status inside [track] or [metadata] too", () => {
    assert.equal(setTrackStatus("[track]\nstatus = 'new'\n", "completed"), '[track]\nstatus = "completed"\n');
  });
});
