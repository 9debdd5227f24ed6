import assert from "node:assert/strict";
import { readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectTestTampering, type Finding } from "../../../src/guard/integrity/index.ts";
import { git, gitOut, writeFiles } from "../../helpers/git.ts";
import {
  agentCommit,
  editFile,
  type IntegrityFixture,
  integrityFixture,
  recordedWork,
  rules,
} from "./fixture.ts";
import { TEST_PROJECT } from "./tamper-fixture.ts";

async function project(t: Parameters<typeof integrityFixture>[0]): Promise<IntegrityFixture> {
  return integrityFixture(t, TEST_PROJECT);
}

async function detect(fx: IntegrityFixture): Promise<Finding[]> {
  return detectTestTampering(await recordedWork(fx), fx.baseCommit);
}

describe("guard/integrity/tamper: test files", () => {
  it("finds nothing in legitimate work: new tests, more assertions, code edits", async (t) => {
    const fx = await project(t);
    agentCommit(fx.dir, {
      "src/math.js": "export const add = (a, b) => a + b;\nexport const sub = (a, b) => a - b;\n",
      "test/sub.test.js": 'import assert from "node:assert";\ntest("subs", () => assert.equal(1 - 1, 0));\n',
    });
    editFile(
      fx.dir,
      "test/math.test.js",
      "  assert.equal(add(0, 0), 0);",
      "  assert.equal(add(0, 0), 0);\n  assert.ok(add);",
    );
    editFile(fx.dir, "tests/test_math.py", "== 3\n", "== 3\n    assert add(2, 2) == 4\n");
    editFile(fx.dir, "test/math.test.js", "add(-1, -2), -3", "add(-2, -1), -3");
    writeFiles(fx.dir, { "tests/test_new.py": "def test_new():\n    assert True\n" });
    assert.deepEqual(await detect(fx), []);
  });

  it("finds a deleted test file", async (t) => {
    const fx = await project(t);
    rmSync(join(fx.dir, "tests", "test_math.py"));
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["test-deleted"]);
    assert.equal(findings[0]?.evidence.file, "tests/test_math.py");
    assert.equal(findings[0]?.severity, "flag");
    assert.equal(findings[0]?.check, "tamper");
  });

  it("finds a test file renamed to .bak", async (t) => {
    const fx = await project(t);
    git(fx.dir, "mv", "src/math.spec.ts", "src/math.spec.ts.bak");
    git(fx.dir, "commit", "--quiet", "-m", "park the spec");
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["test-renamed"]);
    assert.deepEqual(findings[0]?.evidence, { from: "src/math.spec.ts", to: "src/math.spec.ts.bak" });
  });

  it("finds a test file moved away uncommitted", async (t) => {
    const fx = await project(t);
    renameSync(join(fx.dir, "test", "math.test.js"), join(fx.dir, "math.js.orig"));
    assert.deepEqual(rules(await detect(fx)), ["test-renamed"]);
  });

  it("finds a test file given an extension no runner picks up", async (t) => {
    const fx = await project(t);
    renameSync(join(fx.dir, "test", "math.test.js"), join(fx.dir, "test", "math.test.js.disabled"));
    assert.deepEqual(rules(await detect(fx)), ["test-renamed"]);
  });

  it("lets a test file move to another test directory or be converted to TypeScript", async (t) => {
    const fx = await project(t);
    writeFiles(fx.dir, { "tests/unit/test_math.py": TEST_PROJECT["tests/test_math.py"] });
    rmSync(join(fx.dir, "tests", "test_math.py"));
    renameSync(join(fx.dir, "test", "math.test.js"), join(fx.dir, "test", "math.test.ts"));
    assert.deepEqual(await detect(fx), []);
  });

  it("finds a removed assertion, with its line", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "test/math.test.js", "  assert.equal(add(0, 0), 0);\n", "");
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["assertions-removed"]);
    assert.deepEqual(findings[0]?.evidence, {
      file: "test/math.test.js",
      removed: 1,
      added: 0,
      lines: [{ side: "old", line: 7, text: "  assert.equal(add(0, 0), 0);" }],
    });
  });

  it("finds assertions commented out, and a weakened Go test", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "src/math.spec.ts", "    expect(", "    // expect(");
    editFile(fx.dir, "math_test.go", '\t\tt.Errorf("bad")\n', "");
    agentCommit(fx.dir, {});
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["assertions-removed", "assertions-removed"]);
    assert.deepEqual(findings.map((f) => f.evidence.file).sort(), ["math_test.go", "src/math.spec.ts"]);
  });

  it("finds .skip and it.only added, committed or not", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "test/math.test.js", 'test("adds negatives"', 'test.skip("adds negatives"');
    agentCommit(fx.dir, {});
    editFile(fx.dir, "src/math.spec.ts", '  it("adds"', '  it.only("adds"');
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["test-focused", "test-skipped"]);
    const skipped = findings.find((f) => f.rule === "test-skipped");
    assert.deepEqual(skipped?.evidence, {
      file: "test/math.test.js",
      side: "new",
      line: 10,
      text: 'test.skip("adds negatives", () => {',
    });
  });

  it("finds @pytest.mark.skip added", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "tests/test_math.py", "def test_add", '@pytest.mark.skip(reason="flaky")\ndef test_add');
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), ["test-skipped"]);
    assert.equal(findings[0]?.evidence.line, 4);
  });

  it("finds skip and only markers across ecosystems", async (t) => {
    const fx = await project(t);
    writeFiles(fx.dir, {
      "test/more.test.js": [
        "xit('a', () => {});",
        "describe.only('b', () => {});",
        "test('c', { skip: true }, () => {});",
        "it.todo('d');",
        "fdescribe('e', () => {});",
      ].join("\n"),
      "pkg/x_test.go": 'func TestX(t *testing.T) {\n\tt.Skip("later")\n}\n',
      "tests/test_y.py": "@unittest.skip('no')\ndef test_y():\n    pytest.skip('no')\n",
      "core/tests.rs": "#[test]\n#[ignore]\nfn slow() {}\n",
      "src/test/java/FooTest.java": "@Disabled\nvoid foo() {}\n",
    });
    const findings = await detect(fx);
    assert.deepEqual(rules(findings), [
      ...Array<string>(2).fill("test-focused"),
      ...Array<string>(8).fill("test-skipped"),
    ]);
  });

  it("does not count an edit of an already skipped test as a new skip", async (t) => {
    const fx = await project(t);
    const base = { "test/old.test.js": 'it.skip("old", () => {});\n' };
    agentCommit(fx.dir, base);
    git(fx.dir, "update-ref", "refs/heads/main", gitOut(fx.dir, "rev-parse", "HEAD"));
    const moved = { ...fx, baseCommit: gitOut(fx.dir, "rev-parse", "HEAD") };
    writeFiles(fx.dir, { "test/old.test.js": 'it.skip("old, renamed", () => {});\n' });
    assert.deepEqual(await detect(moved), []);
  });

  it("gives every finding the severity the caller asks for", async (t) => {
    const fx = await project(t);
    rmSync(join(fx.dir, "tests", "test_math.py"));
    const findings = await detectTestTampering(await recordedWork(fx), fx.baseCommit, { severity: "block" });
    assert.deepEqual(
      findings.map((f) => f.severity),
      ["block"],
    );
  });

  it("leaves the agent's index alone", async (t) => {
    const fx = await project(t);
    writeFiles(fx.dir, { "test/new.test.js": "it.only('x', () => {});\n" });
    const index = readFileSync(join(fx.dir, ".git", "index"));
    assert.deepEqual(rules(await detect(fx)), ["test-focused"]);
    assert.deepEqual(readFileSync(join(fx.dir, ".git", "index")), index);
  });
});
