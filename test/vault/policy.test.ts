import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { classify, loadPolicy, type Policy, type Tier } from "../../src/vault/index.ts";
import { writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

function policyIn(t: TestContext, files: Record<string, string> = {}, policyPath = "policy.toml"): Policy {
  const dir = tempDir(t, "gaffer-policy-");
  writeFiles(dir, files);
  return loadPolicy(dir, loadConfig(dir), policyPath);
}

const RANK: Tier[] = ["low", "medium", "high"];
const max = (...tiers: Tier[]): Tier => RANK[Math.max(...tiers.map((t) => RANK.indexOf(t)))] as Tier;

describe("vault policy: classification by blast radius", () => {
  it("classifies every combination of paths, sizes, requested tiers and actions as the highest of them", (t) => {
    const policy = policyIn(t, {
      "policy.toml": `[tiers]\ngroom-backlog = "low"\nrelease = "high"\nrun-planner = "medium"\n`,
    });
    const paths: [string[], Tier, string | undefined][] = [
      [[], "low", undefined],
      [["src/calc.js", "test/calc.test.js"], "low", undefined],
      [["README.md"], "low", undefined],
      [[".github/workflows/ci.yml"], "high", "paths.ci"],
      [[".gitlab-ci.yml"], "high", "paths.ci"],
      [["Dockerfile"], "medium", "paths.containers"],
      [["deploy/docker-compose.prod.yml"], "medium", "paths.containers"],
      [["package.json", "package-lock.json"], "medium", "paths.dependencies"],
      [["services/api/go.sum"], "medium", "paths.dependencies"],
      [["db/migrations/0042_users.sql"], "high", "paths.migrations"],
      [["config/.env.production"], "high", "paths.secrets"],
      [["certs/server.pem"], "high", "paths.secrets"],
      [["gaffer.toml"], "high", "paths.self"],
      [["policy.toml"], "high", "paths.self"],
      [["AGENTS.md"], "high", "paths.self"],
      [[".gaffer/secrets.env"], "high", "paths.self"],
    ];
    const sizes: [{ lines: number; files: number }, Tier, string | undefined][] = [
      [{ lines: 10, files: 1 }, "low", undefined],
      [{ lines: 499, files: 29 }, "low", undefined],
      [{ lines: 500, files: 2 }, "medium", "size.medium_lines"],
      [{ lines: 40, files: 30 }, "medium", "size.medium_files"],
      [{ lines: 2000, files: 3 }, "high", "size.high_lines"],
      [{ lines: 40, files: 100 }, "high", "size.high_files"],
    ];
    const requests: (Tier | undefined)[] = [undefined, "low", "medium", "high"];
    const actions: [string, Tier, string][] = [
      ["merge", "low", "tiers.merge"],
      ["groom-backlog", "low", "tiers.groom-backlog"],
      ["run-planner", "medium", "tiers.run-planner"],
      ["release", "high", "tiers.release"],
      ["deploy-prod", "high", "default"],
    ];
    let cases = 0;
    for (const [action, actionTier, actionRule] of actions) {
      for (const [touched, pathTier, pathRule] of paths) {
        for (const [size, sizeTier, sizeRule] of sizes) {
          for (const requested of requests) {
            const { tier, reasons } = classify({ action, paths: touched, size, requested }, policy);
            const expected = max(actionTier, pathTier, sizeTier, requested ?? "low");
            const label = `${action} ${touched.join(",") || "(no paths)"} ${size.lines}L/${size.files}F asks ${requested}`;
            assert.equal(tier, expected, label);
            const rules = reasons.map((r) => r.rule);
            for (const rule of [actionRule, pathRule, sizeRule, requested && "blast_radius"]) {
              if (rule)
                assert.ok(rules.includes(rule), `${label}: reasons name ${rule} (${rules.join(", ")})`);
            }
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 5 * 16 * 6 * 4);
  });

  it("says why, in words, and ignores a request to lower the tier", (t) => {
    const policy = policyIn(t);
    const { tier, reasons } = classify(
      {
        action: "merge",
        paths: [
          ".github/workflows/ci.yml",
          ".github/workflows/release.yml",
          ".github/actions/x/action.yml",
          ".woodpecker/a.yml",
        ],
        size: { lines: 12, files: 4 },
        requested: "low",
      },
      policy,
    );
    assert.equal(tier, "high");
    assert.deepEqual(
      reasons.map((r) => `${r.tier} ${r.rule}: ${r.why}`),
      [
        "low tiers.merge: merge is low (built-in)",
        "high paths.ci: touches CI configuration: .github/workflows/ci.yml, .github/workflows/release.yml, .github/actions/x/action.yml and 1 more",
        "low blast_radius: the request asks for low, which is ignored: a request may raise its tier, never lower it",
      ],
    );
  });

  it("treats an action the policy does not name as high (default deny)", (t) => {
    const { tier, reasons } = classify({ action: "publish-site" }, policyIn(t));
    assert.equal(tier, "high");
    assert.equal(reasons[0]?.why, '"publish-site" is not in [tiers]: unknown actions are high');
  });

  it("reads disinto's policy.toml [tiers] as it is, over the built-in merge tier", (t) => {
    const policy = policyIn(t, {
      "policy.toml": `# vault/policy.toml
[tiers]
groom-backlog       = "low"
dev                 = "medium"
run-publish-site    = "high"
merge               = "medium"
`,
    });
    assert.equal(classify({ action: "groom-backlog" }, policy).tier, "low");
    assert.equal(classify({ action: "dev" }, policy).tier, "medium");
    assert.equal(classify({ action: "run-publish-site" }, policy).tier, "high");
    assert.equal(
      classify({ action: "merge", paths: ["src/a.js"] }, policy).reasons[0]?.why,
      "merge is medium (policy.toml)",
    );
  });

  it("lets policy.toml retier built-in path rules, add globs, add rules and set sizes", (t) => {
    const policy = policyIn(t, {
      "policy.toml": `[paths.dependencies]
tier = "low"

[paths.ci]
globs = ["ops/pipeline/**"]

[paths.payments]
tier = "high"
what = "payment code"
globs = ["src/payments/**"]

[size]
medium_lines = 50
high_lines = 100
`,
    });
    assert.equal(classify({ action: "merge", paths: ["package.json"] }, policy).tier, "low");
    assert.equal(classify({ action: "merge", paths: ["ops/pipeline/build.yml"] }, policy).tier, "high");
    const payments = classify({ action: "merge", paths: ["src/payments/card.ts"] }, policy);
    assert.equal(payments.tier, "high");
    assert.equal(payments.reasons[1]?.why, "touches payment code: src/payments/card.ts");
    assert.equal(classify({ action: "merge", size: { lines: 60, files: 1 } }, policy).tier, "medium");
    assert.equal(classify({ action: "merge", size: { lines: 100, files: 1 } }, policy).tier, "high");
  });

  it("raises a merge the factory's reviewer asked changes for to high", (t) => {
    const policy = policyIn(t);
    const { tier, reasons } = classify(
      { action: "merge", paths: ["src/a.ts"], review: "changes-requested" },
      policy,
    );
    assert.equal(tier, "high");
    assert.ok(reasons.some((r) => r.rule === "review"));
    assert.equal(classify({ action: "merge", paths: ["src/a.ts"], review: "approved" }, policy).tier, "low");
  });

  it("counts the factory's kickoff, role prompts, agents.toml and fleet.toml as self-modification", (t) => {
    const policy = policyIn(t, {
      "gaffer.toml": `[factory]\nroles_dir = "crew"\nkickoff = "crew/kickoff.md"\n\n[roles.builder]\nprompt = "ops/builder-prompt.md"\n`,
    });
    for (const path of [
      "crew/reviewer.md",
      "crew/kickoff.md",
      "ops/builder-prompt.md",
      "agents.toml",
      "fleet.toml",
    ]) {
      assert.equal(classify({ action: "merge", paths: [path] }, policy).tier, "high", path);
    }
  });

  it("counts gaffer's configured prompts, scenarios and a moved policy file as self-modification", (t) => {
    const policy = policyIn(
      t,
      {
        "gaffer.toml": `[project]\nconventions = "docs/agents.md"\nprompt_template = "prompts/brief.md"\n\n[agents.demo]\ndriver = "scripted"\nscenario = "scenarios/demo.toml"\n`,
        "ops/vault-policy.toml": "[tiers]\n",
      },
      "ops/vault-policy.toml",
    );
    for (const path of [
      "docs/agents.md",
      "prompts/brief.md",
      "scenarios/demo.toml",
      "ops/vault-policy.toml",
      "gaffer.toml",
    ]) {
      const { tier, reasons } = classify({ action: "merge", paths: [path] }, policy);
      assert.equal(tier, "high", path);
      assert.ok(
        reasons.some((r) => r.rule === "paths.self"),
        path,
      );
    }
    assert.equal(
      classify({ action: "merge", paths: ["AGENTS.md"] }, policy).tier,
      "low",
      "conventions moved away",
    );
  });

  it("refuses a policy that lowers self-modification, with the file, line and key", (t) => {
    assert.throws(
      () => policyIn(t, { "policy.toml": `[tiers]\nmerge = "low"\n\n[paths.self]\ntier = "medium"\n` }),
      {
        code: "config-invalid",
        message:
          /\/policy\.toml:5: paths\.self\.tier: gaffer's own configuration and prompts are always high$/,
      },
    );
  });

  it("names the file, line and key of a bad policy, with a hint", (t) => {
    const cases: [string, string, string][] = [
      [
        `[tiers]\nrelease = "hgh"\n`,
        'policy.toml:2: tiers.release: must be one of "low", "medium", "high"',
        "set it to one of those",
      ],
      [
        `[tiers]\nmerge = "low"\n[sizes]\nhigh_lines = 3\n`,
        'policy.toml:3: unknown key "sizes"',
        'did you mean "size"?',
      ],
      [
        `[size]\nhigh_lines = -1\n`,
        "policy.toml:2: size.high_lines: Too small: expected number to be >0",
        "see docs/VAULT.md",
      ],
      [
        `[paths.docs]\nglobs = ["docs/**"]\n`,
        "policy.toml:1: [paths.docs] needs a tier and globs",
        'add tier = "high" and globs = ["…"]',
      ],
      [`[tiers]\nmerge = \n`, "policy.toml:2: invalid value", "fix the TOML syntax on that line"],
    ];
    for (const [text, message, hint] of cases) {
      const dir = tempDir(t, "gaffer-policy-");
      writeFileSync(join(dir, "policy.toml"), text);
      const run = () => loadPolicy(dir, loadConfig(dir), "policy.toml");
      assert.throws(run, (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "config-invalid");
        assert.ok(error.message.startsWith(`${dir}/${message}`), `${error.message} starts with ${message}`);
        assert.equal(error.hint, hint);
        return true;
      });
    }
  });
});
