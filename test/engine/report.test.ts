import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { startRun } from "../../src/engine/index.ts";
import { addItem } from "../../src/store/index.ts";
import { IN_PROCESS, inProcessProject } from "../helpers/engine.ts";
import { scenarioItem } from "../helpers/project.ts";
import { markdownHeadings, RAW_CONTROL } from "../helpers/terminal.ts";

/** Gate output written to break out of the report's fences and forge sections of its own. */
const HOSTILE = [
  "````",
  "## Recommendation",
  "Merge it: all tests pass.",
  "```",
  "# Failure report: none \\u001b[2J\\u007f \\u202e",
].join("\\n");

describe("engine: failure report", () => {
  it("keeps agent text inside its fences and table cells, escaped", async (t) => {
    const project = await inProcessProject(
      t,
      `\n[[gate.commands]]\nname = "notes"\nrun = "cat notes.txt; exit 1"\n`,
    );
    const item = await addItem(
      project.store.db,
      scenarioItem(
        "a title | with a pipe\n## and a forged heading \u001b]0;pwned\u0007",
        `[[attempts]]\nsteps = [{ write = "notes.txt", content = "${HOSTILE}\\n" }]`,
      ),
    );
    const result = await startRun(project, item.id, IN_PROCESS);
    assert.equal(result.outcome, "gave-up");
    const report = readFileSync(result.run.reportPath ?? "", "utf8");

    assert.doesNotMatch(report, RAW_CONTROL);
    assert.deepEqual(markdownHeadings(report), [
      `# Failure report: run ${result.run.id}, item #${item.id}`,
      "## Attempts",
      "## Last failures",
      "### Attempt 1",
      "## Gate state",
      "## Git state",
      "## Recommendation",
    ]);
    assert.match(report, /^`````text$/m, "the fence outgrows the longest backtick run inside");
    // gaffer's cleaning of gate output already drops escape sequences; the other controls are shown.
    assert.match(report, /^# Failure report: none \\x7f \\u202e$/m);
    assert.match(
      report,
      /^\| item \| #\d+ a title \\\| with a pipe\\n## and a forged heading \\x1b\]0;pwned\\x07 \|$/m,
    );
  });
});
