import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { importMarkdownIssues, parseDependencies } from "../../src/intake/index.ts";
import { addItem, listItems, openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("intake dependencies", () => {
  it("reads #N from a ## Dependencies or ## Depends on section, up to the next heading", () => {
    const body = [
      "Fix it, unlike #9.",
      "",
      "## Dependencies",
      "- #12 (the parser)",
      "- #3, and #12 again",
      "- owner/other#44 is another repository; issue#5 and &#38; are not references",
      "",
      "## Notes",
      "See #7.",
      "### depends on:",
      "#15",
    ].join("\n");
    assert.deepEqual(parseDependencies(body), [12, 3, 15]);
  });

  it("finds nothing without the section", () => {
    assert.deepEqual(parseDependencies("Blocked by #4 until ## Dependencies is written"), []);
    assert.deepEqual(parseDependencies("## Depends on\n\nnothing yet"), []);
  });

  it("gives markdown issues the items their section names, and refuses a missing one with the file", async (t) => {
    const root = tempDir(t);
    const store = await openStore(join(root, "gaffer.db"));
    t.after(() => store.close());
    const first = await addItem(store.db, { title: "base" });
    const dir = join(root, "issues");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.md"), `# On top\n\n## Depends on\n- #${first.id}\n`);
    const { created } = await importMarkdownIssues(store.db, dir, root);
    assert.deepEqual(created[0]?.dependsOn, [first.id]);
    writeFileSync(join(dir, "b.md"), "# Broken\n\n## Dependencies\n- #99\n");
    await assert.rejects(importMarkdownIssues(store.db, dir, root), {
      code: "invalid-input",
      message: `${join(dir, "b.md")}: depends on #99, which is not an item`,
    });
    assert.equal((await listItems(store.db, { state: "all" })).length, 2);
  });
});
