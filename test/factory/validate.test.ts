import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { claudeInstalled } from "../helpers/stub-agent.ts";
import { ccCiProject } from "./cc-ci.ts";

function assertOneLineError(
  result: { code: number | null; stdout: string; stderr: string },
  pattern: RegExp,
  exitCode = 78,
) {
  assert.equal(result.code, exitCode, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 2, `one line: ${result.stderr}`);
  assert.match(result.stderr, pattern);
}

describe("gaffer validate", () => {
  it("says OK with what it checked", async (t) => {
    const ccCi = ccCiProject(t);
    const env = claudeInstalled(t);
    const ok = await gaffer(["validate"], { cwd: ccCi, env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "OK, no gaffer.toml (defaults); agents.toml: 8 roles, 19 phases\n");
    const json = JSON.parse((await gaffer(["validate", "--json"], { cwd: ccCi, env })).stdout);
    assert.deepEqual(json.phase, { id: "poe2e", index: 18, done: false });

    const own = gitRepo(t, {
      "gaffer.toml": `[roles.builder]\n[[phases]]\nid = "a"\nplan = "a.md"\n`,
      "agents.toml": `[[roles]]\nname = "old"\n`,
      "fleet.toml": `[projects.self]\npath = "."\n`,
    });
    assert.equal(
      (await gaffer(["validate"], { cwd: own })).stdout,
      "OK, gaffer.toml: 1 role, 1 phase; agents.toml (not used: gaffer.toml has roles); fleet.toml: 1 project\n",
    );
    const bare = gitRepo(t, { "README.md": "hi\n" });
    assert.equal((await gaffer(["validate"], { cwd: bare })).stdout, "OK, no gaffer.toml (defaults)\n");
  });

  it("refuses a service with no command, and a command on a role that is not a service", async (t) => {
    const service = gitRepo(t, { "gaffer.toml": '[roles.tidy]\nkind = "service"\n' });
    assertOneLineError(
      await gaffer(["validate"], { cwd: service }),
      /^gaffer: gaffer\.toml:2: roles\.tidy\.kind: a service runs a command, and this one has none — add command = "…"$/m,
    );
    const loop = gitRepo(t, { "gaffer.toml": '[roles.builder]\ncommand = "make"\n' });
    assertOneLineError(
      await gaffer(["validate"], { cwd: loop }),
      /^gaffer: gaffer\.toml:2: roles\.builder\.command: only a service runs a command; this role is a loop/m,
    );
  });

  it("fails with exit 78 and one line for gaffer.toml, agents.toml (even unused), the phase index and a fleet", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": "[gate]\nmax_fix_atempts = 1\n" });
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: gaffer\.toml:2: unknown key "max_fix_atempts" in \[gate\] — did you mean "max_fix_attempts"\?$/m,
    );
    writeFileSync(join(dir, "gaffer.toml"), '[models]\nca = ["certs/gateway.pem"]\n');
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: \[models\] ca: cannot read .*certs\/gateway\.pem: ENOENT — name a PEM file/m,
    );
    writeFileSync(join(dir, "gaffer.toml"), "[roles.builder]\n");
    writeFileSync(join(dir, "agents.toml"), `[[roles]]\nname = "a"\nbackend = "claud"\n`);
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: agents\.toml:3: roles\[0\]\.backend: unknown agent "claud" — did you mean "claude"\?/,
    );
    const ccCi = ccCiProject(t, "-1\n");
    assertOneLineError(
      await gaffer(["validate"], { cwd: ccCi, env: claudeInstalled(t) }),
      /phase-idx: "-1" is not a phase index/,
    );
    writeFileSync(join(dir, "agents.toml"), `[[roles]]\nname = "a"\n`);
    writeFileSync(join(dir, "fleet.toml"), `[projects.gone]\npath = "/nonexistent/gone"\n`);
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: fleet\.toml:2: projects\.gone\.path: \/nonexistent\/gone does not exist — /,
    );
  });

  // What a run will need, each refused with one line; `up` refuses the same before starting a role.
  const unready: [string, Record<string, string>, RegExp, number][] = [
    [
      "the default agent is `command` and AGENT_CMD is unset",
      { "gaffer.toml": '[agent]\ndefault = "command"\n' },
      /^gaffer: \[agent\] default: unknown agent "command" — set AGENT_CMD, or add \[agents\.command\]/,
      78,
    ],
    [
      "an unknown default agent",
      { "gaffer.toml": '[agent]\ndefault = "claud"\n' },
      /^gaffer: \[agent\] default: unknown agent "claud" — did you mean "claude"\?/,
      78,
    ],
    [
      "the default agent's program is not installed",
      {
        "gaffer.toml":
          '[agent]\ndefault = "mine"\n\n[agents.mine]\ndriver = "acp"\ncommand = "no-such-agent --acp"\n',
      },
      /^gaffer: \[agent\] default: agent command not found: no-such-agent — install it/,
      69,
    ],
    [
      "a role's agent is not installed",
      { "gaffer.toml": '[roles.builder]\nagent = "codex"\n' },
      /^gaffer: role builder: agent command not found: codex-acp — /,
      69,
    ],
    [
      "a built-in agent without its API key",
      { "gaffer.toml": '[agent]\ndefault = "claude"\n' },
      /^gaffer: \[agent\] default: agent "claude" needs one of ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN set/,
      69,
    ],
    [
      "a missing scenario file",
      {
        "gaffer.toml":
          '[agent]\ndefault = "demo"\n\n[agents.demo]\ndriver = "scripted"\nscenario = "gone.toml"\n',
      },
      /gone\.toml: cannot read scenario file \(missing\)/,
      65,
    ],
    [
      "a missing prompt_template",
      { "gaffer.toml": '[project]\nprompt_template = "brief.md"\n' },
      /^gaffer: prompt template \S+brief\.md cannot be read/,
      78,
    ],
    [
      "a malformed policy.toml",
      { "gaffer.toml": "", "policy.toml": '[tiers]\nmerge = "sometimes"\n' },
      /^gaffer: \S*policy\.toml:2: /,
      78,
    ],
    [
      "a key valid only for another driver",
      { "gaffer.toml": '[agents.x]\ndriver = "command"\ncommand = "x"\nenv = { A = "1" }\n' },
      /^gaffer: gaffer\.toml:4: unknown key "env" in \[agents\.x\] — valid keys here: driver, command, model, pass_env, hosts, native_rules$/m,
      78,
    ],
  ];
  for (const [what, files, pattern, exitCode] of unready) {
    it(`refuses ${what}`, async (t) => {
      const dir = gitRepo(t, { "README.md": "hi\n", ...files });
      // The claude stand-in is installed, but no key is set: only the case that wants a key misses it.
      const env = { ...claudeInstalled(t), ANTHROPIC_API_KEY: "", AGENT_CMD: "" };
      assertOneLineError(await gaffer(["validate"], { cwd: dir, env }), pattern, exitCode);
    });
  }

  it("up refuses a role whose agent cannot start, before it reports anything running", async (t) => {
    const dir = gitRepo(t, {
      "gaffer.toml":
        '[roles.builder]\nagent = "gone"\n\n[agents.gone]\ndriver = "command"\ncommand = "no-such-agent {prompt_file}"\n',
    });
    const up = await gaffer(["up"], { cwd: dir });
    assertOneLineError(up, /^gaffer: role builder: agent command not found: no-such-agent — /, 69);
    const status = await gaffer(["status", "--json"], { cwd: dir });
    assert.equal(JSON.parse(status.stdout).factory.daemon, null, "no supervisor was started");
  });
});
