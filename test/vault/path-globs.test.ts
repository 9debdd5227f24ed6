import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { DEFAULT_DENY_PATHS } from "../../src/guard/integrity/index.ts";
import { pathGlobListProblems } from "../../src/util/glob-problems.ts";
import { classify, loadPolicy } from "../../src/vault/index.ts";
import { BUILTIN_PATH_RULES } from "../../src/vault/path-rules.ts";
import { tempDir } from "../helpers/tmp.ts";
import { PATH_ROWS, PROBLEM_ROWS } from "../util/glob-table.ts";

const policyToml = (globs: readonly string[]) =>
  `[tiers]\nmerge = "low"\n\n[paths.table]\ntier = "high"\nglobs = ${JSON.stringify(globs)}\n`;

describe("vault path rules, on the glob table", () => {
  it("a merge touching a path a row's globs match gets the rule's tier; one it misses does not", (t) => {
    const dir = tempDir(t, "gaffer-policy-");
    for (const { globs, matches, misses } of PATH_ROWS) {
      writeFileSync(join(dir, "policy.toml"), policyToml(globs));
      const policy = loadPolicy(dir, loadConfig(dir), "policy.toml");
      const hits = (path: string) =>
        classify({ action: "merge", paths: [path] }, policy).reasons.some((r) => r.rule === "paths.table");
      for (const path of matches) assert.ok(hits(path), `${JSON.stringify(globs)} raises ${path}`);
      for (const path of misses) assert.ok(!hits(path), `${JSON.stringify(globs)} leaves ${path}`);
    }
  });

  it("refuses a bad glob in one line naming file, line and key, with the fix", (t) => {
    const dir = tempDir(t, "gaffer-policy-");
    for (const { globs, message, hint } of PROBLEM_ROWS) {
      writeFileSync(join(dir, "policy.toml"), policyToml(globs));
      assert.throws(
        () => loadPolicy(dir, loadConfig(dir), "policy.toml"),
        (error: Error & { code?: string; hint?: string }) => {
          assert.equal(error.code, "config-invalid");
          assert.match(error.message.slice(dir.length), /^\/policy\.toml:6: paths\.table\.globs(\[0\])?: /);
          assert.match(error.message, message);
          assert.match(error.hint ?? "", hint);
          return true;
        },
        JSON.stringify(globs),
      );
    }
  });

  it("matches gaffer's own files literally, whatever characters their names hold", (t) => {
    const dir = tempDir(t, "gaffer-policy-");
    writeFileSync(join(dir, "gaffer.toml"), `[project]\nconventions = "notes/[draft]{a,b}.md"\n`);
    const policy = loadPolicy(dir, loadConfig(dir), "policy.toml");
    const tier = (path: string) => classify({ action: "merge", paths: [path] }, policy).tier;
    assert.equal(tier("notes/[draft]{a,b}.md"), "high");
    assert.equal(tier("notes/d.md"), "low");
  });

  it("gaffer's own globs pass the checks users' globs must pass", () => {
    for (const globs of [DEFAULT_DENY_PATHS, ...BUILTIN_PATH_RULES.map((rule) => rule.globs)]) {
      assert.deepEqual(pathGlobListProblems(globs), []);
    }
  });

  it("lets a built-in rule be narrowed by exclusions, but never gaffer's own files", (t) => {
    const dir = tempDir(t, "gaffer-policy-");
    writeFileSync(join(dir, "policy.toml"), `[paths.secrets]\nglobs = ["!test/fixtures/**"]\n`);
    const policy = loadPolicy(dir, loadConfig(dir), "policy.toml");
    const tier = (path: string) => classify({ action: "merge", paths: [path] }, policy).tier;
    assert.equal(tier("certs/x.pem"), "high");
    assert.equal(tier("test/fixtures/x.pem"), "low");
    writeFileSync(join(dir, "policy.toml"), `[paths.self]\nglobs = ["!gaffer.toml"]\n`);
    assert.throws(() => loadPolicy(dir, loadConfig(dir), "policy.toml"), {
      code: "config-invalid",
      message:
        /policy\.toml:2: paths\.self\.globs: gaffer's own configuration and prompts cannot be excluded$/,
    });
  });
});
