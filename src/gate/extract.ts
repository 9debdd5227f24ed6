/**
 * Recognisers for the output of common test runners and compilers: which tests failed, and the
 * lines that say why. Heuristic by nature; whatever they miss, the caller's fallback still shows.
 */

const TRAILING_TIME = /\s*\(?\d+(?:\.\d+)?\s?(?:ms|s)\)?$/;

type Runner = "tap" | "node-spec" | "pytest" | "jest" | "jest-file" | "mocha" | "go" | "cargo";

/** A line that names one failing test, with the runner it comes from. */
const TEST_LINE: { pattern: RegExp; runner: Runner }[] = [
  { pattern: /^\s*not ok \d+ - (.+)$/, runner: "tap" },
  { pattern: /^\s*✖ (.+)$/, runner: "node-spec" },
  { pattern: /^(?:FAILED|ERROR) (.+?)(?: - .*)?$/, runner: "pytest" },
  { pattern: /^\s*[✕×] (.+)$/, runner: "jest" },
  { pattern: /^\s*FAIL\s+(.+)$/, runner: "jest-file" },
  { pattern: /^\s{2,}(\d+\)) (.+)$/, runner: "mocha" },
  { pattern: /^\s*--- FAIL: (\S+)/, runner: "go" },
  { pattern: /^test (\S+) \.\.\. FAILED$/, runner: "cargo" },
];

/** Lines that start an error message worth showing. */
const ERROR_START = [
  /\b\w*Error\b/,
  /\berror(?:\[\w+\])?:/i,
  /\berror TS\d+/,
  /^\s*Expected\b/,
  /\bexpected\b/,
  /\bassert(?:ion)?\b/,
  /\bpanicked\b/,
  /^E\s{2,}\S/,
  /^\s+\w+_test\.go:\d+:/,
];

/** A property of a dumped error object or a TAP YAML block, e.g. `expected: 180,`. */
const PROPERTY =
  /^\s*(?:expected|actual|operator|code|name|generatedMessage|failureType|type|location|duration_ms|stack):/;

/** Lines that look like an error but are not one: property dumps, counters, locations. */
const NOT_ERROR = [
  PROPERTY,
  /^\s*error: ['"]?\d+ subtests? failed/,
  /^\S+\.py:\d+: \w+$/,
  /^\s*at\s/,
  /^\s+\d+: \S/,
];

/** Lines that end an error's context: stack frames, test status lines, separators. */
const CONTEXT_END = [
  /^\s*at\s/,
  /^\s*\S+ \(.*:\d+:\d+\)$/,
  PROPERTY,
  /^\s*(?:---|\.\.\.$|# Subtest|ok \d|not ok \d)/,
  /^\s*[✓✔✕✖×❯▶●]\s/,
  /^\s*(?:--- (?:FAIL|PASS)|=== RUN|goroutine \d+ \[)/,
  /^[\s_=\-⎯*~]{5,}$|^\s*([_=⎯*~-])\1{2,} .* \1{3,}$/,
  /^failures:$/,
];

/** Decoration inside compiler code frames: nothing but pipes, carets and tildes. */
const DECORATION = /^[\s|^~]*$/;
const CONTEXT_LINES = 3;

/** The names of the failing tests, in order of appearance (repeats included). */
export function failingTests(lines: readonly string[]): string[] {
  const names: string[] = [];
  const suites = new Set<string>();
  const mochaNumbers = new Set<string>();
  lines.forEach((line, index) => {
    const suite = /^\s*▶ (.+)$/.exec(line);
    if (suite?.[1]) suites.add(suite[1].trim());
    const found = matchTestLine(line);
    if (!found) return;
    if (found.runner === "tap" && !isTapFailure(lines, index, line)) return;
    if (found.runner === "node-spec" && (suites.has(found.name) || found.name === "failing tests:")) return;
    if (found.runner === "mocha") {
      if (mochaNumbers.has(found.key)) return;
      mochaNumbers.add(found.key);
    }
    names.push(found.name);
  });
  return names;
}

function matchTestLine(line: string): { runner: Runner; name: string; key: string } | undefined {
  for (const { pattern, runner } of TEST_LINE) {
    const match = pattern.exec(line);
    if (!match?.[1]) continue;
    const name = (match[2] ?? match[1]).replace(TRAILING_TIME, "").trim();
    return { runner, name, key: match[1] };
  }
  return undefined;
}

/** TAP's `not ok` also marks TODO tests and suites whose only failure is their subtests. */
function isTapFailure(lines: readonly string[], index: number, line: string): boolean {
  if (/#\s*(?:TODO|SKIP)\b/i.test(line)) return false;
  for (const next of lines.slice(index + 1, index + 40)) {
    if (/failureType: '?subtestsFailed/.test(next)) return false;
    if (next.trim() === "...") break;
  }
  return true;
}

function isTestLine(line: string): boolean {
  return matchTestLine(line) !== undefined;
}

/** Each error: its first line and up to three lines of context, in order of appearance. */
export function errorBlocks(lines: readonly string[]): string[][] {
  const blocks: string[][] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    if (!isErrorStart(line, lines, index)) {
      index += 1;
      continue;
    }
    const block = collectBlock(lines, index);
    blocks.push(block.lines);
    index = block.next;
  }
  return blocks;
}

function isErrorStart(line: string, lines: readonly string[], index: number): boolean {
  if (isTestLine(line) || NOT_ERROR.some((p) => p.test(line))) return false;
  return ERROR_START.some((p) => p.test(line)) || isTracebackEnd(lines, index);
}

/** The last line of a Python traceback: the first unindented line after `Traceback (…):`. */
function isTracebackEnd(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? "";
  if (line.trim() === "" || /^\s/.test(line)) return false;
  for (let back = index - 1; back >= 0; back -= 1) {
    const previous = lines[back] ?? "";
    if (previous.startsWith("Traceback (most recent call last)")) return true;
    if (!/^\s/.test(previous)) return false;
  }
  return false;
}

function collectBlock(lines: readonly string[], start: number): { lines: string[]; next: number } {
  const first = lines[start] ?? "";
  const indent = indentOf(first);
  // A YAML block scalar (`error: |-`) has its message on the following lines.
  const block = /^\s*error: [|>]-?$/.test(first) ? [] : [unquoteYaml(first)];
  const limit = block.length + CONTEXT_LINES;
  let index = start + 1;
  let blanks = 0;
  for (; index < lines.length && block.length < limit; index += 1) {
    const line = lines[index] ?? "";
    if (line.trim() === "") {
      if (++blanks >= 2) break;
      continue;
    }
    blanks = 0;
    if (DECORATION.test(line)) continue;
    if (isTestLine(line) || CONTEXT_END.some((p) => p.test(line))) break;
    if (isNewError(line, first, indent, lines, index)) break;
    block.push(line);
  }
  return { lines: block, next: index };
}

/** Another error at the same depth starts its own block; pytest's `E` lines continue theirs. */
function isNewError(
  line: string,
  first: string,
  indent: number,
  lines: readonly string[],
  index: number,
): boolean {
  if (/^E\s/.test(line) && /^[>E]\s/.test(first)) return false;
  return indentOf(line) <= indent && isErrorStart(line, lines, index);
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

/** TAP's YAML `error: 'message'` shows better as just the message. */
function unquoteYaml(line: string): string {
  return line.replace(/^(\s*)error: (['"])(.*)\2$/, "$1$3");
}
