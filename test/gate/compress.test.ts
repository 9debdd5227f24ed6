import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compressFailure, failureSignature, type GateExecution, runGate } from "../../src/gate/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const LOG = "/work/.gaffer/logs/run-7/attempt-2-test.log";

function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
}

function failing(output: string, overrides: Partial<GateExecution> = {}): GateExecution {
  return {
    name: "test",
    command: "npm test",
    exitCode: 1,
    signal: null,
    timedOut: false,
    notFound: false,
    killedFromOutside: false,
    durationMs: 1234,
    output,
    outputBytes: Buffer.byteLength(output),
    outputSha256: "",
    logPath: LOG,
    passed: false,
    ...overrides,
  };
}

function compress(name: string, maxBytes = 8000): string {
  return compressFailure([failing(fixture(name))], { maxBytes });
}

function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const headings = ["Failing tests:", "Errors:", "Last lines of output:"];
  const end = lines.findIndex((line, index) => index > start && headings.includes(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

function testsIn(text: string): string[] {
  return section(text, "Failing tests:").map((line) => line.replace(/^- /, ""));
}

/** Each fixture: the failing tests it must name, and lines its errors must include. */
const FIXTURES: { file: string; tests: string[]; errors: string[] }[] = [
  {
    file: "node-tap.txt",
    tests: ["applies a percentage", "rejects negative pct", "parses config"],
    errors: ["Expected values to be strictly equal:", "190 !== 180", "Missing expected exception."],
  },
  {
    file: "node-spec.txt",
    tests: ["applies a percentage", "rejects negative pct", "parses config"],
    errors: [
      "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
      "SyntaxError: Expected",
    ],
  },
  {
    file: "pytest.txt",
    tests: [
      "test_agent_demo.py::test_discount",
      "test_agent_demo.py::test_param[80-25-60]",
      "test_agent_demo.py::test_parse",
    ],
    errors: [
      "E       assert 190 == 180",
      "E       assert 55 == 60",
      "JSONDecodeError: Expecting property name",
    ],
  },
  {
    file: "pytest-collection.txt",
    tests: ["test_imp.py"],
    errors: ["ModuleNotFoundError: No module named 'missing_module'"],
  },
  { file: "python-traceback.txt", tests: [], errors: ["KeyError: 'price'"] },
  {
    file: "cargo-test.txt",
    tests: ["tests::applies_percentage", "tests::underflow_is_caught"],
    errors: ["panicked at src/lib.rs:11:9:", "left: 190", "attempt to subtract with overflow"],
  },
  {
    file: "cargo-build.txt",
    tests: [],
    errors: ["error[E0308]: mismatched types", "expected `u32`, found `u64`", "error[E0277]"],
  },
  {
    file: "tsc.txt",
    tests: [],
    errors: ["src/math.ts(2,9): error TS2322", "src/math.ts(5,14): error TS2322", "error TS7006"],
  },
  {
    file: "jest.txt",
    tests: ["src/math.test.js", "applies a percentage", "rounds to cents"],
    errors: ["Expected: 180", "Received: 190", "TypeError: Cannot read properties of undefined"],
  },
  {
    file: "vitest.txt",
    tests: ["src/math.test.ts > discount > applies a percentage"],
    errors: ["AssertionError: expected 190 to be 180"],
  },
  {
    file: "mocha.txt",
    tests: ["applies a percentage", "rejects negative pct"],
    errors: ["Expected values to be strictly equal:", "Missing expected exception."],
  },
  {
    file: "go-test.txt",
    tests: ["TestDiscount", "TestTable", "TestTable/quarter", "TestParse", "example.com/demo"],
    errors: [
      "discount_test.go:9: discount(200, 10) = 190; want 180",
      "panic: runtime error: index out of range",
    ],
  },
];

describe("failure compression", () => {
  for (const { file, tests, errors } of FIXTURES) {
    it(`recognises the failing tests and errors in ${file}`, () => {
      const text = compress(file);
      assert.equal(text.split("\n")[0], 'gate step "test" failed: npm test (exit 1)');
      assert.deepEqual(testsIn(text), tests);
      const errorText = section(text, "Errors:").join("\n");
      for (const error of errors) assert.ok(errorText.includes(error), `${file}: missing ${error}\n${text}`);
      assert.doesNotMatch(text, /Last lines of output:/);
    });
  }

  it("leaves out suites that failed only through their subtests, and passing tests", () => {
    for (const file of ["node-tap.txt", "node-spec.txt"]) {
      const tests = testsIn(compress(file));
      assert.ok(!tests.includes("discount") && !tests.includes("edge cases"), file);
      assert.ok(!tests.includes("keeps zero") && !tests.includes("ok top"), file);
    }
  });

  it("shows an error repeated in a summary once", () => {
    const text = compress("node-spec.txt");
    assert.equal(text.split("\n").filter((line) => line.includes("Missing expected exception")).length, 1);
    const tsc = compressFailure([failing(`${fixture("tsc.txt")}${fixture("tsc.txt")}`)], { maxBytes: 8000 });
    assert.equal(tsc, compress("tsc.txt"));
  });

  it("treats errors that differ only in numbers as one", () => {
    const output = "Error: port 3001 in use\nError: port 3002 in use\nError: disk full\n";
    assert.deepEqual(section(compressFailure([failing(output)], { maxBytes: 8000 }), "Errors:"), [
      "Error: port 3001 in use",
      "Error: disk full",
    ]);
  });

  it("respects the byte cap exactly, cutting at a line and pointing at the log", () => {
    const full = compress("pytest.txt");
    for (const maxBytes of [120, 200, 333, 500, Buffer.byteLength(full) - 1]) {
      const text = compress("pytest.txt", maxBytes);
      assert.ok(Buffer.byteLength(text) <= maxBytes, `${maxBytes}: ${Buffer.byteLength(text)}`);
      const lines = text.split("\n");
      const omitted = Number(
        /^\[… (\d+) more lines omitted; full output in (.+)\]$/.exec(lines.at(-1) ?? "")?.[1],
      );
      assert.ok(lines.at(-1)?.endsWith(`full output in ${LOG}]`));
      assert.deepEqual(lines.slice(0, -1), full.split("\n").slice(0, lines.length - 1));
      assert.equal(lines.length - 1 + omitted, full.split("\n").length);
    }
    assert.equal(compress("pytest.txt", Buffer.byteLength(full)), full);
  });

  it("counts multi-byte characters as bytes", () => {
    const output = Array.from(
      { length: 30 },
      (_, i) => `Error: ✖ ünïcödé failure number ${"x".repeat(i)}`,
    ).join("\n");
    const text = compressFailure([failing(output)], { maxBytes: 300 });
    assert.ok(Buffer.byteLength(text) <= 300);
    assert.ok(text.length < Buffer.byteLength(text));
  });

  it("falls back to the last lines when it recognises nothing", () => {
    const output = Array.from({ length: 100 }, (_, i) => `step ${i} done`).join("\n");
    const text = compressFailure([failing(`${output}\n\n`)], { maxBytes: 8000 });
    const tail = section(text, "Last lines of output:");
    assert.equal(tail.length, 40);
    assert.equal(tail[0], "step 60 done");
    assert.equal(tail.at(-1), "step 99 done");
  });

  it("says when a step timed out or its program was not found", () => {
    const timedOut = failing("running…\n", {
      exitCode: null,
      signal: "SIGTERM",
      timedOut: true,
      durationMs: 300_400,
    });
    assert.match(
      compressFailure([timedOut], { maxBytes: 500 }),
      /^gate step "test" failed: npm test \(timed out after 300s\)/,
    );
    const missing = failing("sh: 1: ruff: not found\n", {
      name: "lint",
      command: "ruff check .",
      exitCode: 127,
      notFound: true,
    });
    const text = compressFailure([missing], { maxBytes: 500 });
    assert.match(
      text,
      /^gate step "lint" failed: ruff check \. \(not found\)\nLast lines of output:\nsh: 1: ruff: not found$/,
    );
  });

  it("summarises only the failing executions", () => {
    const passed = failing("Error: not a failure\n", { name: "lint", exitCode: 0, passed: true });
    const text = compressFailure([passed, failing(fixture("tsc.txt"))], { maxBytes: 8000 });
    assert.doesNotMatch(text, /lint|not a failure/);
  });
});

describe("failure compression of a live gate run", () => {
  it("names the failing test and its assertion, with the same signature on a rerun", async (t) => {
    const dir = tempDir(t);
    const test = 'import assert from "node:assert/strict";\nimport { test } from "node:test";\n';
    writeFileSync(join(dir, "a.test.mjs"), `${test}test("adds", () => assert.equal(1 + 1, 3));\n`);
    const gate = [{ name: "test", run: `"${process.execPath}" --test a.test.mjs`, timeoutMs: 30_000 }];
    // Under `node --test` this variable makes the child report over IPC instead of printing.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const options = { cwd: dir, env, logDir: join(dir, "logs"), storeOutputBytes: 65_536 };
    const first = await runGate(gate, { ...options, attempt: 1 });
    const second = await runGate(gate, { ...options, attempt: 2 });
    const text = compressFailure(first.executions, { maxBytes: 2000 });
    assert.deepEqual(testsIn(text), ["adds"]);
    assert.match(section(text, "Errors:").join("\n"), /2 !== 3/);
    assert.equal(failureSignature(first.executions), failureSignature(second.executions));
  });
});

describe("failure signature", () => {
  const signature = (file: string, overrides: Partial<GateExecution> = {}) =>
    failureSignature([failing(fixture(file), overrides)]);

  it("is the same for two real runs of the same failure", () => {
    assert.notEqual(fixture("node-tap.txt"), fixture("node-tap-rerun.txt"));
    assert.equal(signature("node-tap.txt"), signature("node-tap-rerun.txt", { durationMs: 999 }));
    assert.notEqual(fixture("pytest.txt"), fixture("pytest-rerun.txt"));
    assert.equal(signature("pytest.txt"), signature("pytest-rerun.txt"));
  });

  it("ignores timings, pids, temp paths, addresses and line numbers", () => {
    const first =
      "Error: cannot read /tmp/gaffer-ws-a1b2/x.json (pid 4242) at 0x7ffd1234 after 12ms\n  at f (src/a.ts:10:3)\n";
    const second =
      "Error: cannot read /tmp/gaffer-ws-zz99/x.json (pid 977) at 0x7ffe9876 after 3.5ms\n  at f (src/a.ts:12:7)\n";
    assert.equal(failureSignature([failing(first)]), failureSignature([failing(second)]));
  });

  it("differs for a different failure, step or status", () => {
    const base = signature("node-tap.txt");
    assert.notEqual(base, signature("node-tap-other.txt"));
    assert.notEqual(base, signature("pytest.txt"));
    assert.notEqual(base, signature("node-tap.txt", { name: "unit" }));
    assert.notEqual(base, signature("node-tap.txt", { exitCode: null, timedOut: true }));
  });

  it("uses the output's last lines when nothing is recognised", () => {
    assert.notEqual(
      failureSignature([failing("done in 3s\nstep 1\n")]),
      failureSignature([failing("step 2\n")]),
    );
    assert.equal(failureSignature([failing("done in 3s\n")]), failureSignature([failing("done in 41s\n")]));
  });
});
