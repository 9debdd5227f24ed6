import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../../src/config/load.ts";

const parse = (text: string) => parseConfig(text, "/p/gaffer.toml", "/p", {});

describe("config: headless presets", () => {
  test("compile with the CLI's name as the default program", () => {
    const config = parse(`
[agents.claude-cli]
driver = "headless"
format = "claude"
model = "claude-sonnet-4-5"
pass_env = ["ANTHROPIC_API_KEY"]
hosts = ["api.anthropic.com"]

[agents.my-codex]
driver = "headless"
format = "codex"
command = "/opt/codex/bin/codex"
`);
    assert.deepEqual(config.agents.get("claude-cli"), {
      name: "claude-cli",
      driver: "headless",
      format: "claude",
      program: "claude",
      model: "claude-sonnet-4-5",
      passEnv: ["ANTHROPIC_API_KEY"],
      hosts: ["api.anthropic.com"],
      nativeRules: "claude",
    });
    const codex = config.agents.get("my-codex");
    assert.equal(codex?.driver === "headless" ? codex.program : undefined, "/opt/codex/bin/codex");
    assert.equal(codex?.driver === "headless" ? codex.nativeRules : undefined, "codex", "its format's rules");
  });

  test("an unknown format is a config error", () => {
    assert.throws(() => parse(`[agents.a]\ndriver = "headless"\nformat = "aider"\n`), /format/);
  });
});
