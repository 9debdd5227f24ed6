import assert from "node:assert/strict";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import {
  claudeSettings,
  codexRules,
  geminiPolicy,
  GIT_RULES,
  opencodeConfig,
  writeAgentRules,
} from "../../../src/guard/index.ts";
import { GafferError } from "../../../src/errors.ts";
import { wordMatches } from "../../../src/util/glob.ts";
import { tempDir } from "../../helpers/tmp.ts";

const WORKSPACE = "/srv/gaffer/runs/7";

/** Every command an agent's rules must deny, as text: "git push", "git branch -D"… */
const DENIED = GIT_RULES.flatMap((rule) => rule.prefixes.map((prefix) => ["git", ...prefix].join(" ")));

describe("guard/agent-rules", () => {
  it("Claude Code: deny rules for every git rule, .git and home secrets; never bypass mode", () => {
    const { permissions, promptSuggestionEnabled } = JSON.parse(claudeSettings(WORKSPACE)) as {
      permissions: { defaultMode: string; deny: string[] };
      promptSuggestionEnabled: boolean;
    };
    assert.equal(permissions.defaultMode, "default");
    assert.equal(promptSuggestionEnabled, false);
    for (const command of DENIED) assert.ok(permissions.deny.includes(`Bash(${command}:*)`), command);
    for (const entry of [`Edit(/${WORKSPACE}/.git/**)`, `Write(/${WORKSPACE}/.git/**)`, "Read(~/.ssh/**)"]) {
      assert.ok(permissions.deny.includes(entry), entry);
    }
  });

  it("opencode: allow-all first, then a deny for every git rule (the last match wins)", () => {
    const { permission } = JSON.parse(opencodeConfig(WORKSPACE)) as {
      permission: { bash: Record<string, string>; edit: Record<string, string>; external_directory: string };
    };
    assert.deepEqual(Object.entries(permission.bash)[0], ["*", "allow"]);
    assert.equal(permission.external_directory, "deny");
    const decide = (rules: Record<string, string>, input: string) =>
      Object.entries(rules).findLast(([pattern]) => wordMatches(input, [pattern]))?.[1];
    for (const command of DENIED) assert.equal(decide(permission.bash, `${command} x`), "deny", command);
    assert.equal(decide(permission.bash, "git status"), "allow");
    assert.equal(decide(permission.bash, "npm test"), "allow");
    assert.equal(decide(permission.edit, ".git/hooks/pre-commit"), "deny");
    assert.equal(decide(permission.edit, "src/index.ts"), "allow");
  });

  it("Codex: one forbidden prefix_rule per git rule, covering every prefix", () => {
    const lines = codexRules()
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    const covered = new Set<string>();
    for (const line of lines) {
      const match =
        /^prefix_rule\(pattern=(\[.*\]), decision="forbidden", justification="denied by gaffer policy: [^"]+"\)$/.exec(
          line,
        );
      assert.ok(match, line);
      const [git, sub, rest] = JSON.parse(match[1] as string) as [
        string,
        string,
        string | string[] | undefined,
      ];
      const tails = rest === undefined ? [""] : [rest].flat().map((word) => ` ${word}`);
      for (const tail of tails) covered.add(`${git} ${sub}${tail}`);
    }
    assert.equal(lines.length, GIT_RULES.length);
    assert.deepEqual([...covered].sort(), [...DENIED].sort());
  });

  it("Gemini CLI: a TOML deny rule with commandPrefix for every git rule", () => {
    const { rule } = parseToml(geminiPolicy()) as {
      rule: { toolName: string; commandPrefix: string[]; decision: string; priority: number }[];
    };
    assert.equal(rule.length, GIT_RULES.length);
    for (const entry of rule) {
      assert.deepEqual([entry.toolName, entry.decision], ["run_shell_command", "deny"]);
      assert.ok(entry.priority >= 0 && entry.priority <= 999);
    }
    assert.deepEqual(rule.flatMap((entry) => entry.commandPrefix).sort(), [...DENIED].sort());
  });

  it("writes each file where its agent looks, keeping other settings", (t) => {
    const dir = tempDir(t);
    writeFileSync(
      join(dir, "settings.json"),
      JSON.stringify({ env: { A: "1" }, permissions: { allow: ["Bash"] } }),
    );
    const claude = writeAgentRules(dir, "claude", WORKSPACE);
    assert.deepEqual(claude, { path: join(dir, "settings.json"), env: { CLAUDE_CONFIG_DIR: dir } });
    const settings = JSON.parse(readFileSync(claude.path, "utf8")) as Record<string, { allow?: unknown }>;
    assert.deepEqual(settings.env, { A: "1" });
    assert.equal(settings.permissions?.allow, undefined, "gaffer's permissions replace the old block");

    const expected = {
      codex: [join(dir, "rules", "gaffer.rules"), { CODEX_HOME: dir }],
      gemini: [join(dir, ".gemini", "policies", "gaffer.toml"), { GEMINI_CLI_HOME: dir }],
      opencode: [join(dir, "opencode.json"), { OPENCODE_CONFIG: join(dir, "opencode.json") }],
    } as const;
    for (const [agent, [path, env]] of Object.entries(expected)) {
      const written = writeAgentRules(dir, agent as keyof typeof expected, WORKSPACE);
      assert.deepEqual(written, { path, env });
      assert.match(readFileSync(path, "utf8"), /git push/);
    }
    const gemini = JSON.parse(readFileSync(join(dir, ".gemini", "settings.json"), "utf8")) as unknown;
    assert.deepEqual(gemini, { security: { auth: { selectedType: "gemini-api-key" } } });
    writeAgentRules(dir, "gemini", WORKSPACE, { login: true });
    const withLogin = JSON.parse(readFileSync(join(dir, ".gemini", "settings.json"), "utf8")) as unknown;
    assert.deepEqual(
      withLogin,
      { security: { auth: { selectedType: "oauth-personal" } } },
      "the Google login gaffer holds",
    );
  });

  it("never writes through what an agent planted in its config dir", (t) => {
    const dir = tempDir(t);
    const project = tempDir(t);
    writeFileSync(join(project, "package.json"), '{"name":"project"}');
    writeFileSync(join(project, "notes.txt"), "original");
    symlinkSync(join(project, "package.json"), join(dir, "settings.json"));
    symlinkSync(join(project, "notes.txt"), join(dir, "opencode.json"));
    writeAgentRules(dir, "claude", WORKSPACE);
    writeAgentRules(dir, "opencode", WORKSPACE);
    assert.equal(readFileSync(join(project, "package.json"), "utf8"), '{"name":"project"}');
    assert.equal(readFileSync(join(project, "notes.txt"), "utf8"), "original");
    const settings = JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")) as Record<string, unknown>;
    assert.equal(settings.name, undefined, "the symlink's target was not merged in");

    symlinkSync(project, join(dir, "rules"));
    assert.throws(
      () => writeAgentRules(dir, "codex", WORKSPACE),
      (error: unknown) => error instanceof GafferError && error.code === "workspace-tampered",
    );
    assert.equal(existsSync(join(project, "gaffer.rules")), false);
  });
});
