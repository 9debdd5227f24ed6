import picomatch from "picomatch";

/**
 * gaffer's one glob engine: picomatch, in two dialects.
 *
 * Path globs (`[guard] allow_paths` / `deny_paths`, the vault's path rules) match a whole
 * slash-separated path from the project root, with the syntax of .gitignore, CODEOWNERS and
 * JavaScript tools: `*`, `?`, `**` as a whole segment, classes (`[ab]`, `[!ab]`, `[[:digit:]]`),
 * braces (`{pem,key}`, `{1..3}`) and extglobs (`+(a|b)`, `!(x)`). Names starting with a dot match
 * like any other, so `secrets/**` covers `secrets/.env`; a trailing `/` means everything under that
 * directory. In a list, an entry starting with `!` (but not the extglob `!(`) excludes what the
 * others include, in any order.
 *
 * Word globs are the git guard's: sh `case` patterns (`*`, `?`, `[…]`, `[!…]`) on single words,
 * where `*` also spans `/`. The wrapper is a POSIX sh script in the sandbox, and sh's own `case`
 * matches them there — no Node, so nothing of this module needs to be reachable inside the
 * sandbox. This side matches the same patterns for the ACP policy; wordGlobProblem keeps them to
 * the alphabet where sh and picomatch agree, and the table tests run both on the same rows.
 */

const PATH_OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  posix: true, // `[!ab]` negates (picomatch reads it literally otherwise), and `[[:alpha:]]`
  strictBrackets: true, // an unclosed `[`, `{` or `(` is an error, not a silent literal
  nonegate: true, // a leading `!` is the list's exclusion (see compileList), not picomatch's
  windows: false, // paths from git always use `/`, whatever the platform
  debug: true, // a pattern that makes a bad regular expression (`[z-a]`) throws instead of matching nothing
};

const WORD_OPTIONS: picomatch.PicomatchOptions = {
  ...PATH_OPTIONS,
  nobrace: true,
  noextglob: true,
  noglobstar: true,
};

/** argv words cannot contain NUL: standing in for `/` makes a word one segment, as sh sees it. */
const SLASH_STAND_IN = "\0";

type Test = (input: string) => boolean;

interface CompiledList {
  include: { pattern: string; test: Test }[];
  exclude: { pattern: string; test: Test }[];
}

/** Which entry of a list decided a path: the include that matched, and the exclusion that overrode it. */
export interface GlobHit {
  pattern: string;
  excludedBy?: string;
}

const lists = new Map<string, CompiledList>();

/** Whether an entry of a path-glob list is an exclusion (`!docs/**`) rather than an extglob (`!(x)`). */
export function isExclusion(pattern: string): boolean {
  return pattern.startsWith("!") && !pattern.startsWith("!(");
}

/** The path glob as picomatch reads it: a trailing `/` stands for everything under it. */
function pathGlobSource(pattern: string): string {
  const body = isExclusion(pattern) ? pattern.slice(1) : pattern;
  return body.endsWith("/") ? `${body}**` : body;
}

/** Compiles one path glob; throws picomatch's error for one that does not compile. */
export function compilePathGlob(pattern: string): Test {
  return picomatch(pathGlobSource(pattern), PATH_OPTIONS);
}

function compileList(patterns: readonly string[]): CompiledList {
  const key = JSON.stringify(patterns);
  let list = lists.get(key);
  if (!list) {
    list = { include: [], exclude: [] };
    for (const pattern of patterns) {
      (isExclusion(pattern) ? list.exclude : list.include).push({ pattern, test: compilePathGlob(pattern) });
    }
    lists.set(key, list);
  }
  return list;
}

/** The entry of `patterns` that `path` matches, and the exclusion that cancels it if any. */
export function globHit(path: string, patterns: readonly string[]): GlobHit | undefined {
  const list = compileList(patterns);
  const included = list.include.find((entry) => entry.test(path));
  if (!included) return undefined;
  const excluded = list.exclude.find((entry) => entry.test(path));
  return excluded
    ? { pattern: included.pattern, excludedBy: excluded.pattern }
    : { pattern: included.pattern };
}

/** Whether `path` matches an entry of `patterns` and no exclusion. */
export function matchesGlobs(path: string, patterns: readonly string[]): boolean {
  const hit = globHit(path, patterns);
  return hit !== undefined && hit.excludedBy === undefined;
}

/**
 * A literal path as a path glob that matches exactly it (`prompts/[draft].md`): special characters
 * in classes (`[[]`), as the pattern checks require instead of backslashes, and a leading `!` after
 * `./` so it does not read as an exclusion.
 */
export function literalGlob(path: string): string {
  const classed = path.replace(/[*?[\]{}()+@]/g, "[$&]");
  return classed.startsWith("!") ? `./${classed}` : classed;
}

const words = new Map<string, Test>();

function compileWordGlob(pattern: string): Test {
  let test = words.get(pattern);
  if (!test) {
    // picomatch never matches an empty input; sh's `*` does.
    const starsOnly = /^\**$/.test(pattern);
    const inner = picomatch(pattern.replaceAll("/", SLASH_STAND_IN), WORD_OPTIONS);
    test = (word) => (word === "" ? starsOnly : inner(word.replaceAll("/", SLASH_STAND_IN)));
    words.set(pattern, test);
  }
  return test;
}

/** Whether `word` matches any of `patterns`, as sh's `case` would. */
export function wordMatches(word: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => compileWordGlob(pattern)(word));
}

/** Why a word glob cannot go into an sh `case` statement, or undefined. */
export function wordGlobProblem(pattern: string): string | undefined {
  if (!/^[A-Za-z0-9._=*?[\]!/-]+$/.test(pattern)) return `not a plain glob: ${pattern}`;
  try {
    compileWordGlob(pattern);
    return undefined;
  } catch (error) {
    return `${pattern}: ${(error as Error).message}`;
  }
}
