import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { pathVerdict, runDenyPaths } from "../../../src/guard/integrity/index.ts";
import { checkPaths } from "../../../src/guard/integrity/paths.ts";
import { PATH_ROWS, TABLE_PATHS } from "../../util/glob-table.ts";
import { agentCommit, integrityFixture, recordedWork } from "./fixture.ts";

/** A workspace whose agent changed every path of the glob table. */
async function tableWorkspace(t: TestContext) {
  const fx = await integrityFixture(t);
  agentCommit(fx.dir, Object.fromEntries(TABLE_PATHS.map((path) => [path, `${path}\n`])));
  return fx;
}

describe("guard/integrity path rules, on the glob table", () => {
  it("deny_paths: a path a row's globs match is denied, a path they miss is not", async (t) => {
    const fx = await tableWorkspace(t);
    for (const { globs, matches, misses } of PATH_ROWS) {
      const findings = await checkPaths(await recordedWork(fx), {
        baseCommit: fx.baseCommit,
        allowPaths: [],
        denyPaths: globs,
      });
      const denied = new Set(findings.filter((f) => f.rule === "path-denied").map((f) => f.evidence.path));
      for (const path of matches) assert.ok(denied.has(path), `${JSON.stringify(globs)} denies ${path}`);
      for (const path of misses) assert.ok(!denied.has(path), `${JSON.stringify(globs)} leaves ${path}`);
    }
  });

  it("allow_paths: a path a row's globs match is allowed, a path they miss is not", async (t) => {
    const fx = await tableWorkspace(t);
    for (const { globs, matches, misses } of PATH_ROWS) {
      const findings = await checkPaths(await recordedWork(fx), {
        baseCommit: fx.baseCommit,
        allowPaths: globs,
        denyPaths: [],
      });
      const outside = new Set(
        findings.filter((f) => f.rule === "path-not-allowed").map((f) => f.evidence.path),
      );
      for (const path of matches) assert.ok(!outside.has(path), `${JSON.stringify(globs)} allows ${path}`);
      for (const path of misses) assert.ok(outside.has(path), `${JSON.stringify(globs)} refuses ${path}`);
    }
  });

  it("explains a verdict by the entries that decided it; a deny wins over an allow", () => {
    const rules = { allowPaths: ["src/**", "!src/gen/**"], denyPaths: runDenyPaths(["**/*.{pem,key}"]) };
    assert.deepEqual(pathVerdict("src/a.ts", rules), { kind: "allowed", allow: { pattern: "src/**" } });
    assert.deepEqual(pathVerdict("src/gen/a.ts", rules), {
      kind: "not-allowed",
      allow: { pattern: "src/**", excludedBy: "!src/gen/**" },
    });
    assert.deepEqual(pathVerdict("src/x.pem", rules), {
      kind: "denied",
      deny: { pattern: "**/*.{pem,key}" },
      allow: { pattern: "src/**" },
    });
    assert.deepEqual(pathVerdict("gaffer.toml", rules), { kind: "denied", deny: { pattern: "gaffer.toml" } });
    assert.deepEqual(pathVerdict("README.md", { allowPaths: [], denyPaths: [] }), { kind: "allowed" });
  });
});
