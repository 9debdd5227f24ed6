import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { withModel } from "../../src/agents/index.ts";
import { GAFFER_BIN, gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";

describe("e2e: gaffer agents", () => {
  it("lists the presets with what is installed and which keys are set", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    const result = await gaffer(["agents", "--json"], { cwd: dir, env: { ANTHROPIC_API_KEY: "sk-test" } });
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as {
      name: string;
      path: string | null;
      keys: { name: string; set: boolean }[];
    }[];
    assert.deepEqual(
      rows.map((r) => r.name),
      ["scripted", "claude", "codex", "gemini", "opencode", "goose"],
    );
    const claude = rows.find((r) => r.name === "claude");
    assert.deepEqual(
      claude?.keys.find((k) => k.name === "ANTHROPIC_API_KEY"),
      { name: "ANTHROPIC_API_KEY", set: true },
    );
  });

  it("checks an ACP agent with a free handshake, and says clearly when one is missing or mute", async (t) => {
    const dir = gitRepo(t, { "README.md": "x\n" });
    writeFileSync(
      join(dir, "gaffer.toml"),
      `[agents.local]\ndriver = "acp"\ncommand = ["${process.execPath}", "${GAFFER_BIN}", "agent", "scripted"]\n\n[agents.mute]\ndriver = "acp"\ncommand = ["sh", "-c", "echo not ACP; exit 3"]\n`,
    );
    const ok = await gaffer(["agents", "check", "local"], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /local: ok — gaffer-scripted .* speaks ACP v1/);
    const missing = await gaffer(["agents", "check", "codex"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
    assert.equal(missing.code, 69);
    assert.match(missing.stderr, /agent command not found: codex-acp/);
    const mute = await gaffer(["agents", "check", "mute"], { cwd: dir });
    assert.equal(mute.code, 1);
    assert.match(mute.stderr, /did not answer ACP initialize/);
  });

  it("passes the model its own way", () => {
    const base = { name: "x", driver: "acp" as const, env: {}, passEnv: [], hosts: [] };
    assert.deepEqual(
      withModel({ ...base, command: ["gemini", "--acp"], modelArgs: ["--model", "{model}"], model: "g-2" }),
      {
        command: ["gemini", "--acp", "--model", "g-2"],
        env: {},
      },
    );
    assert.deepEqual(
      withModel({ ...base, command: ["claude-agent-acp"], modelEnv: "ANTHROPIC_MODEL", model: "opus" }),
      {
        command: ["claude-agent-acp"],
        env: { ANTHROPIC_MODEL: "opus" },
      },
    );
    assert.deepEqual(withModel({ ...base, command: ["my-agent", "--model={model}"], model: "m" }).command, [
      "my-agent",
      "--model=m",
    ]);
    assert.deepEqual(
      withModel({ ...base, command: ["gemini", "--acp"], modelArgs: ["--model", "{model}"] }).command,
      ["gemini", "--acp"],
    );
  });
});
