import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectTestTampering, type Finding } from "../../../src/guard/integrity/index.ts";
import { gateSurface, parseMakefile } from "../../../src/guard/integrity/gate-surface.ts";
import { git } from "../../helpers/git.ts";
import {
  agentCommit,
  editFile,
  type IntegrityFixture,
  integrityFixture,
  recordedWork,
  rules,
} from "./fixture.ts";

const GATE_PROJECT: Record<string, string> = {
  "test.sh": "#!/bin/sh\nset -e\nsh ci/unit.sh\nnode --test\n",
  "ci/unit.sh": "node --test test/\n",
  "ci/lint.sh": "echo lint\n",
  Makefile: ".PHONY: check lint\ncheck: lint\n\tnode --test\nlint:\n\tsh ci/lint.sh\nother:\n\techo other\n",
  "package.json": JSON.stringify(
    { scripts: { pretest: "echo pre", test: "node --test && npm run extra", extra: "echo x", build: "tsc" } },
    null,
    2,
  ),
  "tox.ini": "[tox]\nenvlist = py3\n",
};

async function project(t: Parameters<typeof integrityFixture>[0]): Promise<IntegrityFixture> {
  return integrityFixture(t, GATE_PROJECT);
}

async function detect(fx: IntegrityFixture, gate: string[]): Promise<Finding[]> {
  return detectTestTampering(await recordedWork(fx), fx.baseCommit, { gate });
}

/** gateSurface over an in-memory base tree. */
function surfaceOf(files: Record<string, string>, commands: string[]) {
  return gateSurface(commands, new Set(Object.keys(files)), async (path) => files[path]);
}

describe("guard/integrity/gate-surface", () => {
  it("follows scripts the gate runs, and the scripts they run", async () => {
    const surface = await surfaceOf(GATE_PROJECT, ["CI=1 ./test.sh --fast"]);
    assert.deepEqual([...surface.files.keys()].sort(), ["ci/unit.sh", "test.sh"]);
    assert.equal(surface.files.get("ci/unit.sh"), "CI=1 ./test.sh --fast");
  });

  it("follows package.json scripts with their pre and post hooks and npm run calls", async () => {
    const surface = await surfaceOf(GATE_PROJECT, ["npm test"]);
    assert.deepEqual([...(surface.scripts.get("package.json") ?? [])].sort(), ["extra", "pretest", "test"]);
    for (const command of ["npm run build", "yarn build", "pnpm run build", "npm run-script build"]) {
      const other = await surfaceOf(GATE_PROJECT, [command]);
      assert.deepEqual([...(other.scripts.get("package.json") ?? [])], ["build"], command);
    }
    assert.equal((await surfaceOf(GATE_PROJECT, ["npm ci"])).scripts.size, 0);
  });

  it("follows make targets, their prerequisites and recipes, default goal included", async () => {
    const named = await surfaceOf(GATE_PROJECT, ["make check"]);
    assert.deepEqual([...(named.targets.get("Makefile") ?? [])].sort(), ["check", "lint"]);
    assert.ok(named.files.has("ci/lint.sh"), "a recipe's script is protected");
    assert.ok(named.shadows.has("GNUmakefile"), "a new GNUmakefile would replace the Makefile");
    const byDefault = await surfaceOf(GATE_PROJECT, ["make -j2"]);
    assert.deepEqual([...(byDefault.targets.get("Makefile") ?? [])].sort(), ["check", "lint"]);
  });

  it("protects the runner file a tool always reads", async () => {
    const surface = await surfaceOf(GATE_PROJECT, ["tox -e py3"]);
    assert.deepEqual([...surface.files.keys()], ["tox.ini"]);
  });

  it("ignores words that name no file of the base, and paths outside it", async () => {
    const surface = await surfaceOf(GATE_PROJECT, [
      "node --test ../test.sh /etc/passwd missing.sh 'unbalanced",
    ]);
    assert.equal(surface.files.size, 0);
  });

  it("reads Makefile rules with continuations, double colons and inline recipes", () => {
    const rules = parseMakefile("a b: c \\\n d\n\tone\nc:: ; inline\nX = 1\nd:\n\ttwo\n# note\n\tthree\n");
    assert.deepEqual(rules.get("a"), { prerequisites: ["c", "d"], recipe: ["one"] });
    assert.deepEqual(rules.get("c"), { prerequisites: [], recipe: ["inline"] });
    assert.deepEqual(rules.get("d"), { prerequisites: [], recipe: ["two", "three"] });
  });
});

describe("guard/integrity/tamper: files the gate runs", () => {
  it("finds a gate script replaced by `exit 0`, uncommitted or committed", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "ci/unit.sh", "node --test test/\n", "exit 0\n");
    const findings = await detect(fx, ["./test.sh"]);
    assert.deepEqual(rules(findings), ["gate-file-changed"]);
    assert.equal(findings[0]?.evidence.file, "ci/unit.sh");
    assert.equal(findings[0]?.check, "tamper");
    agentCommit(fx.dir, {}, "commit it");
    assert.deepEqual(rules(await detect(fx, ["./test.sh"])), ["gate-file-changed"]);
  });

  it("finds a deleted or renamed gate script", async (t) => {
    const fx = await project(t);
    rmSync(join(fx.dir, "test.sh"));
    const findings = await detect(fx, ["sh test.sh"]);
    assert.deepEqual(rules(findings), ["gate-file-changed"]);
    assert.match(findings[0]?.message ?? "", /deleted/);
  });

  it("finds a changed package.json script the gate runs, not one it does not", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "package.json", '"extra": "echo x"', '"extra": "exit 0"');
    editFile(fx.dir, "package.json", '"build": "tsc"', '"build": "tsc -b"');
    const findings = await detect(fx, ["npm test"]);
    assert.deepEqual(rules(findings), ["gate-script-changed"]);
    assert.equal(findings[0]?.evidence.script, "extra");
  });

  it("finds a changed make target the gate makes, not an unrelated one", async (t) => {
    const fx = await project(t);
    editFile(fx.dir, "Makefile", "\tsh ci/lint.sh\n", "\ttrue\n");
    editFile(fx.dir, "Makefile", "\techo other\n", "\techo another\n");
    const findings = await detect(fx, ["make check"]);
    assert.deepEqual(rules(findings), ["gate-target-changed"]);
    assert.equal(findings[0]?.evidence.target, "lint");
  });

  it("finds a new GNUmakefile that make would read first", async (t) => {
    const fx = await project(t);
    agentCommit(fx.dir, { GNUmakefile: "check:\n\ttrue\n" });
    assert.deepEqual(rules(await detect(fx, ["make check"])), ["gate-file-added"]);
  });

  it("finds nothing when the work leaves what the gate runs alone", async (t) => {
    const fx = await project(t);
    agentCommit(fx.dir, { "src/new.js": "export const x = 1;\n", "ci/deploy.sh": "echo deploy\n" });
    git(fx.dir, "rm", "--quiet", "ci/lint.sh");
    assert.deepEqual(await detect(fx, ["./test.sh", "npm test", "tox"]), []);
  });
});
