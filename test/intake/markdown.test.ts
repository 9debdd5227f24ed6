import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { importMarkdownIssues, parseMarkdownIssue } from "../../src/intake/index.ts";
import { listItems, openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("intake/builtin markdown", () => {
  it("takes the first '# ' line as the title and the rest as the body", () => {
    const issue = parseMarkdownIssue("# Add a delete command\n\n## Context\nUsers need it.\n", "x.md");
    assert.deepEqual(issue, {
      file: "x.md",
      title: "Add a delete command",
      body: "## Context\nUsers need it.",
    });
  });

  it("refuses a file without a title line", () => {
    assert.throws(() => parseMarkdownIssue("no title here\n## Sub\n", "bad.md"), {
      code: "invalid-input",
      message: "bad.md: no title line",
    });
  });

  it("imports a directory in name order, once, and nothing when a file is bad", async (t) => {
    const root = tempDir(t);
    const dir = join(root, "issues");
    mkdirSync(dir);
    writeFileSync(join(dir, "02-second.md"), "# Second\nbody two\n");
    writeFileSync(join(dir, "01-first.md"), "# First\nbody one\n");
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const store = await openStore(join(root, ".gaffer", "gaffer.db"));
    t.after(() => store.close());

    const first = await importMarkdownIssues(store.db, dir, root, { labels: ["imported"] });
    assert.deepEqual(
      first.created.map((i) => [i.title, i.source, i.labels]),
      [
        ["First", "issues/01-first.md", ["imported"]],
        ["Second", "issues/02-second.md", ["imported"]],
      ],
    );
    const again = await importMarkdownIssues(store.db, dir, root);
    assert.equal(again.created.length, 0);
    assert.deepEqual(
      again.skipped.map((s) => s.file),
      ["issues/01-first.md", "issues/02-second.md"],
    );

    writeFileSync(join(dir, "03-bad.md"), "oops\n");
    writeFileSync(join(dir, "00-new.md"), "# New\n");
    await assert.rejects(importMarkdownIssues(store.db, dir, root), { code: "invalid-input" });
    assert.equal((await listItems(store.db, { state: "all" })).length, 2);
  });
});
