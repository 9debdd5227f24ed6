import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";

function hashTree(dir: string): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      hash.update(full);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest("hex");
}

describe("e2e: what an agent plants in its workspace", () => {
  it("a hook, a config filter and an fsmonitor are never executed by gaffer's own git commands", async (t) => {
    // Without the sandbox the agent can plant these; gaffer's own git must still never run them.
    const dir = await sampleProject(
      t,
      `[sandbox]\nmode = "off"\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n`,
    );
    const markers = tempDir(t, "gaffer-markers-");
    const hook = `#!/bin/sh\\ntouch ${markers}/hook-ran\\n`;
    const id = await fileItem(
      dir,
      scenarioItem(
        "plants traps",
        `
[[attempts]]
steps = [
  { write = ".git/hooks/pre-commit", content = "${hook}" },
  { direct_write = ".git/hooks/pre-commit", content = "${hook}" },
  { direct_write = ".git/hooks/post-commit", content = "${hook}" },
  { shell = "chmod +x .git/hooks/pre-commit .git/hooks/post-commit" },
  { shell = "/usr/bin/git config filter.evil.clean 'touch ${markers}/filter-ran; cat' && /usr/bin/git config core.fsmonitor 'touch ${markers}/fsmonitor-ran; false'" },
  { direct_write = ".gitattributes", content = "* filter=evil\\n" },
  { edit = "src/calc.js", old = "export function divide", new = "export function square(a) {\\n  return a * a;\\n}\\n\\nexport function divide" },
]
`,
      ),
    );
    const projectGitDir =
      hashTree(join(dir, ".git", "hooks")) + readFileSync(join(dir, ".git", "config"), "utf8");

    const result = await gaffer(["run", String(id)], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /blocked by gaffer's verification: \.git\/hooks was changed/);
    assert.deepEqual(
      readdirSync(markers),
      [],
      "nothing the agent planted ran, though gaffer ran git there many times",
    );

    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    const [run] = await listRuns(store.db, { itemId: id });
    assert.ok(run);
    const events = await listEvents(store.db, { runId: run.id });
    assert.ok(
      events.some((e) => e.type === "agent.file-denied" && String(e.data.path).includes(".git/hooks")),
      "the ACP write into .git was refused",
    );
    assert.ok(
      events.some((e) => e.type === "workspace.tampered"),
      "the changed git config was detected and recorded",
    );
    assert.doesNotMatch(
      readFileSync(join(run.workspace, ".git", "config"), "utf8"),
      /fsmonitor|filter/,
      "the pristine config was restored",
    );
    assert.ok(events.some((e) => e.type === "integrity.finding" && e.data.rule === "hooks-changed"));
    assert.equal(gitOut(dir, "branch", "--list", run.branch), "", "nothing was proposed");
    assert.equal(
      hashTree(join(dir, ".git", "hooks")) + readFileSync(join(dir, ".git", "config"), "utf8"),
      projectGitDir,
      "the project's hooks and config are untouched",
    );
    assert.ok(!existsSync(join(markers, "hook-ran")));
  });
});
