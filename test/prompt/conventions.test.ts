import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findConventions } from "../../src/agents/prompt/index.ts";
import { GafferError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";

function write(dir: string, file: string, text: string): void {
  mkdirSync(join(dir, file, ".."), { recursive: true });
  writeFileSync(join(dir, file), text);
}

describe("conventions lookup", () => {
  it("follows the Module-25 order: AGENTS.md, .agent/instructions.md, agent-config.md", (t) => {
    const dir = tempDir(t);
    const env = {};
    assert.equal(findConventions(dir, undefined, env), undefined);
    write(dir, "agent-config.md", "config");
    assert.deepEqual(findConventions(dir, undefined, env), { file: "agent-config.md", text: "config" });
    write(dir, ".agent/instructions.md", "instructions");
    assert.equal(findConventions(dir, undefined, env)?.file, ".agent/instructions.md");
    write(dir, "AGENTS.md", "agents");
    assert.deepEqual(findConventions(dir, undefined, env), { file: "AGENTS.md", text: "agents" });
  });

  it("prefers $AGENT_CONFIG when it names an existing file, relative to the workspace", (t) => {
    const dir = tempDir(t);
    write(dir, "AGENTS.md", "agents");
    write(dir, "docs/rules.md", "rules");
    assert.deepEqual(findConventions(dir, undefined, { AGENT_CONFIG: "docs/rules.md" }), {
      file: "docs/rules.md",
      text: "rules",
    });
    assert.equal(findConventions(dir, undefined, { AGENT_CONFIG: "docs/missing.md" })?.file, "AGENTS.md");
    assert.equal(findConventions(dir, undefined, { AGENT_CONFIG: "docs" })?.file, "AGENTS.md");
  });

  it("uses the configured file above everything else", (t) => {
    const dir = tempDir(t);
    write(dir, "AGENTS.md", "agents");
    write(dir, "CONTRIBUTING.md", "contributing");
    const found = findConventions(dir, "CONTRIBUTING.md", { AGENT_CONFIG: "AGENTS.md" });
    assert.deepEqual(found, { file: "CONTRIBUTING.md", text: "contributing" });
  });

  it("rejects a configured file that does not exist, with a hint", (t) => {
    const dir = tempDir(t);
    write(dir, "AGENTS.md", "agents");
    assert.throws(
      () => findConventions(dir, "docs/AGENTS.md", {}),
      (error: unknown) =>
        error instanceof GafferError &&
        error.code === "config-invalid" &&
        error.message.includes("docs/AGENTS.md") &&
        error.hint !== undefined,
    );
  });
});
