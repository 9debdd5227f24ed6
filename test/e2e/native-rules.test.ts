import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("e2e: a real agent's own permission rules", () => {
  // The rules follow the preset, not the program's file name: a wrapper keeps them.
  const presets = [
    ["a `claude` preset", "claude", (bin: string) => `command = "${bin} {prompt_file}"`],
    [
      "a `claude` preset wrapped in env",
      "claude",
      (bin: string) => `command = "env LC_ALL=C ${bin} {prompt_file}"`,
    ],
    [
      "a preset of another name that says native_rules = claude",
      "mine",
      (bin: string) => `command = "sh -c '${bin} $0' {prompt_file}"\nnative_rules = "claude"`,
    ],
  ] as const;
  for (const [what, name, command] of presets) {
    it(`${what} finds gaffer's deny rules in its config dir, its own key, and no other token`, async (t) => {
      const bin = tempDir(t, "gaffer-bin-");
      const claude = join(bin, "claude");
      writeFileSync(
        claude,
        [
          "#!/bin/sh",
          "# stands in for Claude Code: records what it was given, then makes the change",
          'grep -o \'"Bash(git push:\\*)"\' "$CLAUDE_CONFIG_DIR/settings.json" > seen.txt',
          // Whether each variable is there, never its value: a proposal holding a key is blocked.
          'echo "token=${GITHUB_TOKEN:+set} key=${ANTHROPIC_API_KEY:+set}" >> seen.txt',
          "printf 'export const triple = (a) => 3 * a;\\n' >> src/calc.js",
        ].join("\n"),
      );
      chmodSync(claude, 0o755);
      const dir = await sampleProject(
        t,
        // "preferred": the suite also runs where bubblewrap is missing. A wrapper's program is what
        // the sandbox shows by itself: the wrapped one's directory is named.
        `[[gate.commands]]\nname = "test"\nrun = "node --test"\n\n[sandbox]\nmode = "preferred"\nread = ["${bin}"]\n\n[agents.${name}]\ndriver = "command"\n${command(claude)}\npass_env = ["ANTHROPIC_API_KEY"]\n`,
      );
      const result = await gaffer(["run", "1", "--agent", name], {
        cwd: dir,
        env: { GITHUB_TOKEN: "ghp_secret", ANTHROPIC_API_KEY: "sk-ant-test" },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        gitOut(dir, "show", "gaffer/1-add-a-multiply-function:seen.txt"),
        '"Bash(git push:*)"\ntoken= key=set',
      );
    });
  }
});
