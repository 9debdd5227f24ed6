import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectTestTampering, type Finding } from "../../../src/guard/integrity/index.ts";
import { writeFiles } from "../../helpers/git.ts";
import {
  agentCommit,
  editFile,
  type IntegrityFixture,
  integrityFixture,
  recordedWork,
  rules,
} from "./fixture.ts";
import { TEST_PROJECT } from "./tamper-fixture.ts";

async function project(t: Parameters<typeof integrityFixture>[0], extra: Record<string, string> = {}) {
  return integrityFixture(t, { ...TEST_PROJECT, ...extra });
}

async function detect(fx: IntegrityFixture): Promise<Finding[]> {
  return detectTestTampering(await recordedWork(fx), fx.baseCommit);
}

function editPackage(
  fx: IntegrityFixture,
  change: (pkg: Record<string, Record<string, unknown>>) => void,
): void {
  const pkg = JSON.parse(readFileSync(join(fx.dir, "package.json"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  change(pkg);
  writeFiles(fx.dir, { "package.json": `${JSON.stringify(pkg, null, 2)}\n` });
}

describe("guard/integrity/tamper: test configuration", () => {
  it("finds a coverage threshold lowered in jest.config.js", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "jest.config.js", "lines: 90", "lines: 50");
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["coverage-lowered", "test-config-changed"]);
    const lowered = findings.find((f) => f.rule === "coverage-lowered");
    assert.deepEqual(lowered?.evidence, {
      file: "jest.config.js",
      key: "lines",
      from: 90,
      to: 50,
      line: 5,
      side: "new",
      text: "      lines: 50,",
    });
  });

  it("flags a raised threshold as a config change only", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "jest.config.js", "branches: 80", "branches: 95");
    assert.deepEqual(rules(await detect(fx)), ["test-config-changed"]);
  });

  it("finds a coverage threshold lowered and one removed in package.json", async (t) => {
    const fx = await project(t);
    editPackage(fx, (pkg) => {
      pkg.c8 = { lines: 10 };
    });
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["coverage-lowered", "test-config-changed"]);
    assert.deepEqual(findings.find((f) => f.rule === "test-config-changed")?.evidence.keys, ["c8"]);
    editPackage(fx, (pkg) => {
      delete pkg.c8;
    });
    const removed = (await detect(fx)).find((f) => f.rule === "coverage-lowered");
    assert.equal(removed?.evidence.to, null);
  });

  it("finds the test script changed, not other scripts", async (t) => {
    const fx = await project(t);
    editPackage(fx, (pkg) => {
      pkg.scripts = { test: "true", lint: "eslint src" };
      pkg.dependencies = { left: "1.0.0" };
    });
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["test-script-changed"]);
    assert.deepEqual(findings[0]?.evidence, { file: "package.json", was: "node --test", now: "true" });
  });

  it("finds changes to the pytest and coverage sections of pyproject.toml, not to others", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "pyproject.toml", 'version = "1.0"', 'version = "1.1"');
    assert.deepEqual(await detect(fx), []);
    editFile(fx.dir, "pyproject.toml", "fail_under = 85", "fail_under = 0");
    editFile(fx.dir, "pyproject.toml", '"--strict-markers"', '"--strict-markers -k not_slow"');
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["coverage-lowered", "test-config-changed"]);
    const changed = findings.find((f) => f.rule === "test-config-changed");
    assert.deepEqual(changed?.evidence.sections, ["tool.pytest.ini_options", "tool.coverage.report"]);
  });

  it("finds --cov-fail-under lowered in a CI workflow", async (t) => {
    const fx = await project(t, {
      ".github/workflows/ci.yml": "steps:\n  - run: pytest --cov-fail-under=90\n",
    });
    editFile(fx.dir, ".github/workflows/ci.yml", "=90", "=20");
    agentCommit(fx.dir, {});
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["coverage-lowered"]);
    assert.equal(findings[0]?.evidence.key, "cov-fail-under");
  });

  it("finds a new or deleted test runner config", async (t) => {
    const fx = await project(t);
    writeFiles(fx.dir, { ".mocharc.yml": "spec: test/none/**\n" });
    rmSync(join(fx.dir, "jest.config.js"));
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), [
      "coverage-lowered",
      "coverage-lowered",
      "test-config-changed",
      "test-config-changed",
    ]);
  });
});
