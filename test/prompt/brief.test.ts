import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadBriefTemplate, renderBrief } from "../../src/agents/prompt/index.ts";
import { GafferError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";

const conventions = { file: "AGENTS.md", text: "Use tabs.\nRun pytest -q.\n" };
const item = {
  id: 12,
  title: "Add a delete command",
  body: "Context: users need it.\n\nDone when: `app delete` works.\n",
};

const HEADER = [
  "You are working in a Git repository on the current branch. Make the change directly in",
  "the files. Do not push or merge — just edit. Follow the project's conventions.",
].join("\n");

describe("agent brief", () => {
  it("keeps the Module-25 sections and wording on a first attempt", () => {
    assert.equal(
      renderBrief({ conventions, item, attempt: 1 }),
      [
        HEADER,
        "",
        "# Project conventions (from AGENTS.md)",
        "Use tabs.",
        "Run pytest -q.",
        "",
        "# Task (issue to implement)",
        "# Add a delete command",
        "Context: users need it.",
        "",
        "Done when: `app delete` works.",
      ].join("\n"),
    );
  });

  it("adds the failing output in a fence on a retry, and leaves out absent conventions", () => {
    const brief = renderBrief({
      conventions: undefined,
      item,
      attempt: 2,
      failure: 'gate step "test" failed\n',
    });
    assert.doesNotMatch(brief, /Project conventions/);
    assert.ok(
      brief.endsWith(
        [
          "Done when: `app delete` works.",
          "",
          "# A CI check just failed. Fix the CODE so it passes — do not weaken or delete",
          "# the test to make it pass. Here is the failing output:",
          "```",
          'gate step "test" failed',
          "```",
        ].join("\n"),
      ),
    );
  });

  it("lengthens the fence when the failure itself contains one", () => {
    const brief = renderBrief({ conventions, item, attempt: 2, failure: "see:\n```\ncode\n```" });
    assert.match(brief, /\n````\nsee:\n```\ncode\n```\n````$/);
  });

  it("fills every slot of a custom template", (t) => {
    const file = join(tempDir(t), "brief.md");
    writeFileSync(
      file,
      "{{item_id}}|{{item_title}}|{{item_body}}|{{ attempt }}|{{conventions_file}}|{{conventions}}|{{failure}}",
    );
    const template = loadBriefTemplate(file);
    assert.equal(
      renderBrief({ conventions, item, attempt: 3, failure: "boom $& $1", template, templateFile: file }),
      "12|Add a delete command|Context: users need it.\n\nDone when: `app delete` works.|3|AGENTS.md|Use tabs.\nRun pytest -q.|boom $& $1",
    );
    assert.equal(renderBrief({ conventions: undefined, item, attempt: 1, template }).endsWith("|1|||"), true);
  });

  it("rejects an unknown slot when loading the template, naming file, slot and the valid slots", (t) => {
    const file = join(tempDir(t), "brief.md");
    writeFileSync(file, "Fix {{item_title}} using {{issue_body}}.");
    assert.throws(
      () => loadBriefTemplate(file),
      (error: unknown) =>
        error instanceof GafferError &&
        error.code === "config-invalid" &&
        error.message === `prompt template ${file}: unknown slot {{issue_body}}` &&
        (error.hint ?? "").includes("{{item_body}}"),
    );
  });

  it("rejects an unknown slot at render time too, naming the template file", () => {
    assert.throws(
      () => renderBrief({ conventions, item, attempt: 1, template: "{{nope}}", templateFile: "brief.md" }),
      { message: "prompt template brief.md: unknown slot {{nope}}" },
    );
  });

  it("rejects a template file that cannot be read", (t) => {
    const file = join(tempDir(t), "missing.md");
    assert.throws(
      () => loadBriefTemplate(file),
      (error: unknown) =>
        error instanceof GafferError && error.code === "config-invalid" && error.message.includes(file),
    );
  });
});
