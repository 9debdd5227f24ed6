import { posix } from "node:path";

/** What test files, test configuration and test-weakening lines look like across ecosystems. */

const TEST_DIRS = new Set(["test", "tests", "__tests__", "spec", "specs"]);

const TEST_FILE_NAMES = [
  /\.(?:test|spec)\.[^./]+$/, // foo.test.ts, foo.spec.js — not foo.test.ts.bak
  /^test_[^/]*\.py$/,
  /_test\.(?:py|go|rb|exs?)$/,
  /_spec\.rb$/,
  /Tests?\.(?:java|kt|scala|groovy|cs)$/,
  /^tests\.rs$/,
  /^conftest\.py$/,
];

const TEST_CONFIG_NAMES = [
  /^(?:jest|vitest|ava|playwright|cypress)\.config\.[^/]+$/,
  /^vitest\.workspace\.[^/]+$/,
  /^karma\.conf\.[^/]+$/,
  /^\.(?:mocharc|nycrc|c8rc)(?:\.[^/]+)?$/,
  /^pytest\.ini$/,
  /^\.coveragerc$/,
  /^phpunit\.xml(?:\.dist)?$/,
];

/** Extensions of files a test runner could load; a test renamed to anything else no longer runs. */
const SOURCE_EXTENSIONS = new Set(
  "js mjs cjs jsx ts mts cts tsx vue svelte py go rs java kt kts scala groovy cs fs rb ex exs php swift c cc cpp h hpp m mm dart lua clj sh bats"
    .split(" ")
    .map((ext) => `.${ext}`),
);

/** Shared config files, and the sections of them that configure tests or coverage. */
const TEST_SECTIONS: Record<string, RegExp> = {
  "setup.cfg": /^(?:tool:pytest|coverage:.*)$/,
  "tox.ini": /^(?:pytest|coverage:.*)$/,
  "pyproject.toml": /^tool\.(?:pytest|coverage)(?:\..*)?$/,
};

/** Keys of package.json that configure a test runner or coverage tool. */
export const PACKAGE_TEST_KEYS = ["jest", "vitest", "mocha", "ava", "nyc", "c8"] as const;

export function isTestPath(path: string): boolean {
  const parts = path.split("/");
  const name = parts.at(-1) ?? "";
  return parts.slice(0, -1).some((dir) => TEST_DIRS.has(dir)) || TEST_FILE_NAMES.some((re) => re.test(name));
}

/** Whether a test file moved to `newPath` would still run: a test path with a loadable extension. */
export function isRunnableTestRename(oldPath: string, newPath: string): boolean {
  const ext = posix.extname(newPath);
  return isTestPath(newPath) && (ext === posix.extname(oldPath) || SOURCE_EXTENSIONS.has(ext));
}

export function isTestConfigPath(path: string): boolean {
  const name = posix.basename(path);
  return TEST_CONFIG_NAMES.some((re) => re.test(name));
}

/** The pattern of test sections for a shared config file (setup.cfg, tox.ini, pyproject.toml). */
export function testSectionsOf(path: string): RegExp | undefined {
  return TEST_SECTIONS[posix.basename(path)];
}

/** Files where a coverage threshold may be set: test configs, package.json, CI files, Makefiles. */
export function mayHoldThresholds(path: string): boolean {
  const name = posix.basename(path);
  return (
    isTestConfigPath(path) ||
    testSectionsOf(path) !== undefined ||
    name === "package.json" ||
    name === "Makefile" ||
    /\.ya?ml$/.test(name)
  );
}

const COMMENT = /^\s*(?:\/\/|\/\*|\*|#(?!\[)|<!--)/;
const IMPORT = /^\s*(?:import\b|from\s+\S+\s+import\b|use\s|(?:const|let|var)\s.*=\s*require\s*\()/;

const ASSERTION =
  /\bassert|\bexpect\s*[({]|\.should\b|\bshould\s*[.(]|\bt\.(?:equal|ok|notOk|deepEqual|same|is|not|true|false|throws|match|strictEqual|fail|Error|Errorf|Fatal|Fatalf|Fail|FailNow)\w*\s*\(|\brequire\.\w+\s*\(|\bself\.fail\w*\s*\(/;

const FOCUS_MARKERS = [/\.only\s*[(.`]/, /\b(?:fit|fdescribe|ftest|fcontext)\s*\(/, /\bonly\s*:\s*true\b/];

const SKIP_MARKERS = [
  /\.(?:skip|skipIf|todo|fixme)\s*[(.`]/,
  /\b(?:skip|todo)\s*:\s*(?:true\b|["'`])/,
  /\bx(?:it|describe|test|context|specify)\s*\(/,
  /@pytest\.mark\.(?:skip|skipif|xfail)\b/,
  /\bpytest\.(?:skip|xfail|importorskip)\s*\(/,
  /@unittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b/,
  /\bskipTest\s*\(/,
  /\bt\.Skip(?:f|Now)?\s*\(/,
  /#\[ignore\b/,
  /@(?:Disabled|Ignore)\b/,
];

/** A line of code (not a comment or an import) that asserts something. */
export function isAssertion(line: string): boolean {
  return !COMMENT.test(line) && !IMPORT.test(line) && ASSERTION.test(line);
}

/** "focus" for a line that narrows the run to some tests, "skip" for one that skips or defers a test. */
export function markerOf(line: string): "focus" | "skip" | null {
  if (COMMENT.test(line)) return null;
  if (FOCUS_MARKERS.some((re) => re.test(line))) return "focus";
  return SKIP_MARKERS.some((re) => re.test(line)) ? "skip" : null;
}

const THRESHOLD =
  /(?:^|[\s"'{,(-])(branches|lines|functions|statements|fail[_-]under|cov-fail-under|min(?:imum)?[_-]coverage|coverage[_-]?threshold)["']?\s*[:=\s]\s*["']?(\d+(?:\.\d+)?)/gi;

/** The coverage thresholds a line sets, e.g. `lines: 80` or `--cov-fail-under=90`. */
export function thresholdsIn(line: string): { key: string; value: number }[] {
  if (COMMENT.test(line)) return [];
  return [...line.matchAll(THRESHOLD)].map((match) => ({
    key: (match[1] ?? "").toLowerCase().replaceAll("_", "-"),
    value: Number(match[2]),
  }));
}
