import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { agentPreset, loadConfig, parseConfig, renderConfigTemplate } from "../../src/config/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const parseText = (text: string) => parseConfig(text, "/p/gaffer.toml", "/p", {});

function configError(text: string): { message: string; hint: string | undefined } {
  try {
    parseText(text);
  } catch (error) {
    const e = error as { code: string; message: string; hint?: string };
    assert.equal(e.code, "config-invalid");
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return { message: e.message, hint: e.hint };
  }
  assert.fail("expected a config error");
}

describe("config", () => {
  it("fills every default when there is no gaffer.toml", (t) => {
    const config = loadConfig(tempDir(t), {});
    assert.equal(config.file, undefined);
    assert.equal(config.agent.default, "scripted");
    assert.equal(config.gate.maxFixAttempts, 2);
    assert.equal(config.agent.turnTimeoutMs, 30 * 60_000);
    assert.deepEqual(
      [...config.agents.keys()],
      ["scripted", "claude", "codex", "gemini", "opencode", "goose"],
    );
  });

  it("compiles durations, steps and agent presets", () => {
    const config = parseText(`
[agent]
turn_timeout = 90
[[gate.commands]]
name = "test"
run = "npm test"
timeout = "2m"
[agents.fast]
driver = "scripted"
scenario = "s/fast.toml"
[agents.cli]
driver = "command"
command = "aider --message-file {prompt_file}"
`);
    assert.equal(config.agent.turnTimeoutMs, 90_000);
    assert.deepEqual(config.gate.commands, [{ name: "test", run: "npm test", timeoutMs: 120_000 }]);
    assert.deepEqual(agentPreset(config, "fast"), {
      name: "fast",
      driver: "scripted",
      inProcess: false,
      scenario: "/p/s/fast.toml",
    });
    assert.equal(agentPreset(config, "cli").driver, "command");
  });

  it("keys native agent rules by the preset, never by the program's file name", () => {
    const rules = (text: string, name: string) => {
      const preset = agentPreset(parseText(text), name);
      return preset.driver === "scripted" ? undefined : preset.nativeRules;
    };
    assert.equal(rules("", "claude"), "claude", "a built-in preset");
    assert.equal(rules("", "goose"), undefined, "goose has none");
    const wrapped = `[agents.claude]\ndriver = "acp"\ncommand = ["env", "X=1", "claude-agent-acp"]\n`;
    assert.equal(rules(wrapped, "claude"), "claude", "a preset replacing a built-in keeps its rules");
    const renamed = `[agents.mine]\ndriver = "acp"\ncommand = "claude-agent-acp"\n`;
    assert.equal(rules(renamed, "mine"), undefined, "another name runs the same program without them");
    assert.equal(rules(`${renamed}native_rules = "claude"\n`, "mine"), "claude", "unless it says so");
  });

  it("names file, line and key of an unknown key, with a did-you-mean", () => {
    const { message, hint } = configError(`[gate]\nmax_fix_attempts = 2\nmax_fix_atempts = 3\n`);
    assert.equal(message, '/p/gaffer.toml:3: unknown key "max_fix_atempts" in [gate]');
    assert.equal(hint, 'did you mean "max_fix_attempts"?');
  });

  it("finds keys inside arrays of tables", () => {
    const { message, hint } = configError(
      `[[gate.commands]]\nname = "a"\nrun = "x"\n\n[[gate.commands]]\nname = "b"\nrunn = "y"\n`,
    );
    assert.equal(message, '/p/gaffer.toml:7: unknown key "runn" in [gate.commands[1]] (and 1 more)');
    assert.equal(hint, 'did you mean "run"?');
  });

  it("reports wrong types, bad durations, bad drivers and TOML syntax with their lines", () => {
    assert.match(
      configError(`[gate]\nmax_fix_attempts = "two"\n`).message,
      /:2: gate\.max_fix_attempts: expected a number, got a string "two"/,
    );
    assert.match(
      configError(`[agent]\nturn_timeout = "5 minutes"\n`).message,
      /:2: agent\.turn_timeout: "5 minutes" is not a duration/,
    );
    for (const huge of ['"597h"', '"1000h"', "2147484"]) {
      assert.match(
        configError(`[factory]\nheartbeat = ${huge}\n`).message,
        /:2: factory\.heartbeat: .* is longer than gaffer's timers can wait \(596h31m\)/,
        huge,
      );
    }
    assert.doesNotThrow(() => parseText(`[factory]\nheartbeat = "596h"\n`));
    assert.match(
      configError(`[agents.x]\ndriver = "magic"\n`).message,
      /:2: agents\.x\.driver: must be one of "scripted", "acp", "command"/,
    );
    assert.match(configError(`[gate\nx = 1\n`).message, /^\/p\/gaffer\.toml:1: /);
    assert.match(configError(`[unknown]\n`).message, /:1: unknown key "unknown"/);
  });

  it("rejects an unknown agent with a suggestion", () => {
    const config = parseText("");
    assert.throws(() => agentPreset(config, "scriptd"), {
      code: "agent-unknown",
      hint: /did you mean "scripted"/,
    });
  });

  it("writes a template that parses to the detected gate and copies nothing", (t) => {
    const root = tempDir(t);
    const text = renderConfigTemplate({
      gate: [{ name: "test", run: "npm test" }],
      setup: [],
      sandbox: { available: true },
    });
    writeFileSync(join(root, "gaffer.toml"), text);
    const config = loadConfig(root, {});
    assert.deepEqual(config.gate.commands, [{ name: "test", run: "npm test", timeoutMs: 600_000 }]);
    assert.deepEqual(config.workspace.copy, []);
    assert.equal(config.guard.secrets, "block");
    assert.match(text, /copy_secrets = true/, "the template says how to opt in");
    assert.equal(config.sandbox.mode, "required");
    const empty = renderConfigTemplate({ gate: [], setup: [], sandbox: { available: true } });
    assert.equal(parseText(empty).gate.commands.length, 0);
  });

  it("refuses to copy a file that looks like a secret unless copy_secrets says so", () => {
    for (const path of [".env", ".env.local", "certs/server.key", "deploy.pem", "id_ed25519", ".npmrc"]) {
      const text = `[workspace]\ncopy = ["config/local.json", "${path}"]\n`;
      const { message, hint } = configError(text);
      assert.match(message, /gaffer\.toml:2: \[workspace\] copy lists .* which looks like a secret/);
      assert.ok(message.includes(path), message);
      assert.match(hint ?? "", /copy_secrets = true/);
      const allowed = parseText(`${text}copy_secrets = true\n`).workspace;
      assert.deepEqual(allowed.copy, ["config/local.json", path]);
    }
    assert.deepEqual(parseText('[workspace]\ncopy = ["config/local.json"]\n').workspace.copy, [
      "config/local.json",
    ]);
  });

  it("runs the gate's steps one after another unless [gate] parallel says so, and then needs distinct names", () => {
    const steps =
      '[[gate.commands]]\nname = "lint"\nrun = "ruff check ."\n[[gate.commands]]\nname = "test"\nrun = "pytest -q"\n';
    assert.equal(parseText(steps).gate.parallel, false);
    assert.equal(parseText(`[gate]\nparallel = true\n${steps}`).gate.parallel, true);
    const twice = `[gate]\nparallel = true\n${steps.replace('"test"', '"lint"')}`;
    const { message, hint } = configError(twice);
    assert.match(message, /gaffer\.toml:7: \[gate\] parallel = true and two gate steps are named "lint"/);
    assert.match(hint ?? "", /its own name/);
    assert.equal(
      parseText(steps.replace('"test"', '"lint"')).gate.commands.length,
      2,
      "one after another, allowed",
    );
  });

  it("reads [workspace] warm: no warm clones by default, a whole number up to 16 otherwise", () => {
    assert.equal(parseText("").workspace.warm, 0);
    assert.equal(parseText("[workspace]\nwarm = 2\n").workspace.warm, 2);
    for (const bad of ["-1", "1.5", '"2"', "17"]) {
      assert.match(configError(`[workspace]\nwarm = ${bad}\n`).message, /:2: workspace\.warm: /, bad);
    }
  });

  it("reads what a secret in a proposal does", () => {
    assert.equal(parseText('[guard]\nsecrets = "flag"\n').guard.secrets, "flag");
    assert.match(
      configError('[guard]\nsecrets = "warn"\n').message,
      /guard\.secrets: must be one of "block", "flag"/,
    );
  });

  it("leaves the sandbox mode unset, and says why, where no sandbox can be made", (t) => {
    const root = tempDir(t);
    const reason = "bubblewrap is not installed: apt-get install bubblewrap";
    const text = renderConfigTemplate({
      gate: [],
      setup: [],
      sandbox: { available: false, reason },
    });
    assert.match(text, /# No sandbox can be made on this machine \(bubblewrap is not installed: apt-get/);
    writeFileSync(join(root, "gaffer.toml"), text);
    assert.equal(loadConfig(root, {}).sandbox.mode, "default");
  });
});
