import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, loadFactory, roleModel } from "../../src/config/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { ccCiProject } from "./cc-ci.ts";

/** The factory a project's files describe; the error's message and hint when they are wrong. */
function factoryIn(dir: string) {
  return loadFactory(dir, loadConfig(dir, {}));
}

function factoryError(files: Record<string, string>, t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    factoryIn(dir);
  } catch (error) {
    const e = error as { code: string; message: string; hint?: string };
    assert.equal(e.code, "config-invalid");
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return { message: e.message.replace(`${dir}/`, ""), hint: e.hint };
  }
  assert.fail("expected a configuration error");
}

describe("agents.toml", () => {
  it("reads cc-ci's file: prefix, log dir, prompts, kickoff, defaults, roles and phases", (t) => {
    const dir = ccCiProject(t);
    const factory = factoryIn(dir);
    assert.equal(factory.format, "agents.toml");
    assert.equal(factory.file, join(dir, "agents.toml"));
    assert.equal(factory.sessionPrefix, "cc-ci-");
    assert.equal(factory.logDir, join(dir, ".ao-state"));
    assert.equal(factory.rolesDir, join(dir, "prompts"));
    assert.equal(factory.kickoff, join(dir, "prompts", "kickoff.md"));
    assert.deepEqual(factory.defaults, { model: "claude-sonnet-4-6", agent: "claude" });
    assert.deepEqual(
      factory.roles.map((r) => [r.name, r.kind, r.agent, r.policy, r.enabled, r.session]),
      [
        ["orchestrator", "persistent", "claude", "heal", true, "orchestrator"],
        ["builder", "loop", "claude", "heal+stall", true, "builder"],
        ["adversary", "loop", "claude", "heal+stall", true, "adv"],
        ["assistant", "persistent", "claude", "none", false, "assistant"],
        ["upgrader", "task", "claude", "none", false, "upgrader"],
        ["report", "task", "claude", "none", false, "report"],
        ["cleanlogs", "service", undefined, "heal", true, "cleanlogs"],
        ["watchdog", "service", undefined, "heal", true, "watchdog"],
      ],
    );
    assert.equal(factory.roles[1]?.prompt, join(dir, "prompts", "builder.md"));
    assert.equal(factory.roles[2]?.reviews, true, "the adversary reviews");
    assert.equal(factory.phases.length, 19);
    assert.deepEqual(factory.phases[11], {
      id: "dstamp",
      plan: "plan-phase-dstamp-date-stamps.md",
      models: "claude-opus-4-8",
    });
    assert.deepEqual(factory.phases[18]?.models, {
      builder: "claude-opus-4-8",
      adversary: "claude-sonnet-4-6",
    });
    assert.equal(existsSync(join(dir, ".gaffer")), false, "reading wrote nothing");
  });

  it("takes [roles.<name>] tables too, maps the demo backend to the scripted agent, resolves paths", (t) => {
    const dir = tempDir(t);
    writeFileSync(
      join(dir, "agents.toml"),
      `log_dir = "/var/log/engine"\nroles_dir = "p"\n[defaults]\nbackend = "demo"\n` +
        `[roles.builder]\nkind = "loop"\n[roles.helper]\nkind = "task"\nbackend = "codex"\nmodel = "gpt-5"\n`,
    );
    const factory = factoryIn(dir);
    assert.deepEqual(
      factory.roles.map((r) => [r.name, r.agent, r.model, r.prompt]),
      [
        ["builder", "scripted", undefined, join(dir, "p", "builder.md")],
        ["helper", "codex", "gpt-5", join(dir, "p", "helper.md")],
      ],
    );
    assert.equal(factory.logDir, "/var/log/engine");
    assert.equal(factory.kickoff, undefined);
    assert.equal(existsSync("/var/log/engine"), false, "the log dir is not created");
  });

  it("prefers roles in gaffer.toml, then agents.toml, then gaffer.toml's empty factory", (t) => {
    const agents = `[[roles]]\nname = "from-agents"\n`;
    const both = tempDir(t);
    writeFileSync(join(both, "agents.toml"), agents);
    writeFileSync(join(both, "gaffer.toml"), `[roles.from-gaffer]\n`);
    assert.deepEqual(
      factoryIn(both).roles.map((r) => r.name),
      ["from-gaffer"],
    );
    const onlyAgents = tempDir(t);
    writeFileSync(join(onlyAgents, "agents.toml"), agents);
    writeFileSync(join(onlyAgents, "gaffer.toml"), `[gate]\nmax_fix_attempts = 1\n`);
    assert.deepEqual(
      factoryIn(onlyAgents).roles.map((r) => r.name),
      ["from-agents"],
    );
    const neither = gitRepo(t, { "README.md": "hi\n" });
    const empty = factoryIn(neither);
    assert.deepEqual([empty.format, empty.file, empty.roles, empty.phases], ["gaffer", undefined, [], []]);
    assert.deepEqual(readdirSync(neither).sort(), [".git", "README.md"]);
  });

  it("names file, line and key of an unknown key, with a did-you-mean", (t) => {
    assert.deepEqual(factoryError({ "agents.toml": `[[roles]]\nname = "a"\npolcy = "heal"\n` }, t), {
      message: 'agents.toml:3: unknown key "polcy" in [roles[0]]',
      hint: 'did you mean "policy"?',
    });
    assert.deepEqual(factoryError({ "agents.toml": `logdir = "x"\n` }, t), {
      message: 'agents.toml:1: unknown key "logdir"',
      hint: 'did you mean "log_dir"?',
    });
    assert.deepEqual(factoryError({ "agents.toml": `[roles.a]\nmodle = "m"\n` }, t), {
      message: 'agents.toml:2: unknown key "modle" in [roles.a]',
      hint: 'did you mean "model"?',
    });
  });

  it("reports bad values with their line and the choices", (t) => {
    assert.deepEqual(factoryError({ "agents.toml": `[[roles]]\nname = "a"\nkind = "tsk"\n` }, t), {
      message: 'agents.toml:3: roles[0].kind: must be one of "loop", "task", "persistent", "service"',
      hint: "set it to one of those",
    });
    assert.match(
      factoryError(
        { "agents.toml": `[[roles]]\nname = "a"\n[[phases]]\nid = "p"\nplan = "x.md"\nmodels = 3\n` },
        t,
      ).message,
      /^agents\.toml:6: phases\[0\]\.models: expected a string or a table$/,
    );
    assert.match(
      factoryError({ "agents.toml": `[[roles]]\nkind = "loop"\n` }, t).message,
      /missing key "name"/,
    );
  });

  it("refuses duplicate roles, sessions and phases, unknown agents, and phase models naming no role", (t) => {
    const roles = `[[roles]]\nname = "builder"\n\n[[roles]]\nname = "adversary"\nsession = "adv"\n`;
    assert.deepEqual(factoryError({ "agents.toml": `${roles}\n[[roles]]\nname = "builder"\n` }, t), {
      message: 'agents.toml:9: roles[2].name: duplicate role "builder"',
      hint: "roles[0] has that name already",
    });
    assert.match(
      factoryError({ "agents.toml": `${roles}\n[[roles]]\nname = "x"\nsession = "adv"\n` }, t).message,
      /^agents\.toml:8: roles\[2\]: session "adv" is role adversary's too$/,
    );
    const phase = (models: string) =>
      `${roles}\n[[phases]]\nid = "poe2e"\nplan = "p.md"\nmodels = ${models}\n`;
    assert.deepEqual(factoryError({ "agents.toml": phase('{ builder = "o", advrsary = "s" }') }, t), {
      message: 'agents.toml:11: phases[0].models: no role named "advrsary"',
      hint: 'did you mean "adversary"? (known: builder, adversary)',
    });
    assert.match(
      factoryError({ "agents.toml": `${phase('"o"')}\n[[phases]]\nid = "poe2e"\nplan = "q.md"\n` }, t)
        .message,
      /^agents\.toml:14: phases\[1\]\.id: duplicate phase "poe2e"$/,
    );
    const backend = factoryError({ "agents.toml": `[[roles]]\nname = "a"\nbackend = "claud"\n` }, t);
    assert.equal(backend.message, 'agents.toml:3: roles[0].backend: unknown agent "claud"');
    assert.match(backend.hint ?? "", /^did you mean "claude"\?/);
    assert.match(
      factoryError({ "agents.toml": `[defaults]\nbackend = "cloud"\n[[roles]]\nname = "a"\n` }, t).message,
      /^agents\.toml:2: defaults\.backend: unknown agent "cloud"$/,
    );
  });

  it("checks gaffer.toml's roles the same way", (t) => {
    const result = factoryError(
      { "gaffer.toml": `[roles.builder]\nagent = "codx"\n\n[[phases]]\nid = "a"\nplan = "a.md"\n` },
      t,
    );
    assert.equal(result.message, 'gaffer.toml:2: roles.builder.agent: unknown agent "codx"');
    assert.match(
      factoryError(
        {
          "gaffer.toml": `[roles.builder]\n[[phases]]\nid = "a"\nplan = "a.md"\nmodels = { bilder = "m" }\n`,
        },
        t,
      ).message,
      /^gaffer\.toml:5: phases\[0\]\.models: no role named "bilder"$/,
    );
  });
});

describe("roleModel: phase × role", () => {
  it("takes the phase's table entry, else its string for loop roles only, else the role's model, else the default", (t) => {
    const dir = tempDir(t);
    writeFileSync(
      join(dir, "agents.toml"),
      `[defaults]\nmodel = "default-m"\n` +
        `[[roles]]\nname = "builder"\nkind = "loop"\n` +
        `[[roles]]\nname = "adversary"\nkind = "loop"\nmodel = "adv-own"\n` +
        `[[roles]]\nname = "orchestrator"\nkind = "persistent"\nmodel = "orch-own"\n` +
        `[[roles]]\nname = "report"\nkind = "task"\n` +
        `[[phases]]\nid = "table"\nplan = "t.md"\nmodels = { builder = "opus", orchestrator = "orch-phase" }\n` +
        `[[phases]]\nid = "string"\nplan = "s.md"\nmodels = "opus"\n` +
        `[[phases]]\nid = "none"\nplan = "n.md"\n`,
    );
    const factory = factoryIn(dir);
    const phases = [...factory.phases, undefined];
    const matrix = factory.roles.map((role) => [
      role.name,
      ...phases.map((p) => roleModel(factory, role, p)),
    ]);
    assert.deepEqual(matrix, [
      //  role           table          string      none         no phase
      ["builder", "opus", "opus", "default-m", "default-m"],
      ["adversary", "adv-own", "opus", "adv-own", "adv-own"],
      ["orchestrator", "orch-phase", "orch-own", "orch-own", "orch-own"],
      ["report", "default-m", "default-m", "default-m", "default-m"],
    ]);
    const noDefault = tempDir(t);
    writeFileSync(join(noDefault, "agents.toml"), `[[roles]]\nname = "builder"\n`);
    const bare = factoryIn(noDefault);
    assert.equal(roleModel(bare, bare.roles[0] as never, undefined), undefined);
  });
});
