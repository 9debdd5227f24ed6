import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { type ConventionsSource, findConventions } from "../../src/agents/prompt/index.ts";
import { GafferError } from "../../src/errors.ts";
import { readCommittedFiles } from "../../src/workspace/index.ts";
import { commitAll, gitRepo, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A project whose base commit holds `files`, and the source reading that commit. */
function project(t: TestContext, files: Record<string, string>): { dir: string; source: ConventionsSource } {
  const dir = gitRepo(t, files);
  const commit = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  return { dir, source: (paths, maxBytes) => readCommittedFiles(dir, commit, paths, maxBytes) };
}

describe("conventions lookup", () => {
  it("follows the Module-25 order: AGENTS.md, .agent/instructions.md, agent-config.md", async (t) => {
    const env = {};
    assert.equal(await findConventions(project(t, {}).source, undefined, env), undefined);
    const files: Record<string, string> = { "agent-config.md": "config" };
    assert.deepEqual(await findConventions(project(t, files).source, undefined, env), {
      file: "agent-config.md",
      text: "config",
    });
    files[".agent/instructions.md"] = "instructions";
    assert.equal(
      (await findConventions(project(t, files).source, undefined, env))?.file,
      ".agent/instructions.md",
    );
    files["AGENTS.md"] = "agents";
    assert.deepEqual(await findConventions(project(t, files).source, undefined, env), {
      file: "AGENTS.md",
      text: "agents",
    });
  });

  it("prefers $AGENT_CONFIG when it names an existing file, relative to the project", async (t) => {
    const { source } = project(t, { "AGENTS.md": "agents", "docs/rules.md": "rules" });
    assert.deepEqual(await findConventions(source, undefined, { AGENT_CONFIG: "docs/rules.md" }), {
      file: "docs/rules.md",
      text: "rules",
    });
    assert.equal(
      (await findConventions(source, undefined, { AGENT_CONFIG: "docs/missing.md" }))?.file,
      "AGENTS.md",
    );
    assert.equal((await findConventions(source, undefined, { AGENT_CONFIG: "docs" }))?.file, "AGENTS.md");
  });

  it("reads an absolute $AGENT_CONFIG from the user's file system, never through a symlink", async (t) => {
    const { source } = project(t, { "AGENTS.md": "agents" });
    const dir = tempDir(t);
    writeFileSync(join(dir, "rules.md"), "mine");
    symlinkSync("/proc/self/environ", join(dir, "environ.md"));
    assert.equal(
      (await findConventions(source, undefined, { AGENT_CONFIG: join(dir, "rules.md") }))?.text,
      "mine",
    );
    assert.equal(
      (await findConventions(source, undefined, { AGENT_CONFIG: join(dir, "environ.md") }))?.file,
      "AGENTS.md",
    );
  });

  it("uses the configured file above everything else", async (t) => {
    const { source } = project(t, { "AGENTS.md": "agents", "CONTRIBUTING.md": "contributing" });
    const found = await findConventions(source, "CONTRIBUTING.md", { AGENT_CONFIG: "AGENTS.md" });
    assert.deepEqual(found, { file: "CONTRIBUTING.md", text: "contributing" });
  });

  it("rejects a configured file that does not exist, with a hint", async (t) => {
    const { source } = project(t, { "AGENTS.md": "agents" });
    await assert.rejects(
      findConventions(source, "docs/AGENTS.md", {}),
      (error: unknown) =>
        error instanceof GafferError &&
        error.code === "config-invalid" &&
        error.message.includes("docs/AGENTS.md") &&
        error.hint !== undefined,
    );
  });

  it("reads the base commit: edits, symlinks and FIFOs in the working tree change nothing", async (t) => {
    const { dir, source } = project(t, { "AGENTS.md": "committed" });
    rmSync(join(dir, "AGENTS.md"));
    symlinkSync("/proc/self/environ", join(dir, "AGENTS.md"));
    execFileSync("mkfifo", [join(dir, "agent-config.md")]);
    assert.deepEqual(await findConventions(source, undefined, {}), { file: "AGENTS.md", text: "committed" });
  });

  it("skips a committed symlink and refuses a committed file over the cap", async (t) => {
    const dir = gitRepo(t, { "agent-config.md": "config" });
    symlinkSync("/proc/self/environ", join(dir, "AGENTS.md"));
    writeFiles(dir, { "HUGE.md": "x".repeat(256 * 1024 + 1) });
    const commit = commitAll(dir, "links");
    const source: ConventionsSource = (paths, maxBytes) => readCommittedFiles(dir, commit, paths, maxBytes);
    assert.equal((await findConventions(source, undefined, {}))?.file, "agent-config.md");
    await assert.rejects(
      findConventions(source, "HUGE.md", {}),
      (error: unknown) => error instanceof GafferError && /over 256 KiB/.test(error.message),
    );
  });
});
