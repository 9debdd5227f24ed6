import picomatch from "picomatch";
import { compilePathGlob, isExclusion } from "./glob.ts";

/** Why a path glob is refused, and the fix: `write "**\/*.pem"`. */
export interface GlobProblem {
  message: string;
  hint: string;
}

/** A problem with one entry of a path-glob list. */
export interface GlobListProblem extends GlobProblem {
  index: number;
}

const OPENERS: Readonly<Record<string, string>> = { "]": "[", "}": "{", ")": "(" };

/** A glob picomatch cannot compile: an unbalanced bracket, or a class it cannot express. */
function compileProblem(body: string, quoted: string): GlobProblem | undefined {
  try {
    compilePathGlob(body);
    return undefined;
  } catch (error) {
    const [, side, char] = /Missing (closing|opening): "(.)"/.exec((error as Error).message) ?? [];
    const opener = char !== undefined ? OPENERS[char] : undefined;
    if (opener !== undefined && side === "closing") {
      return {
        message: `${quoted} does not compile: a "${opener}" is never closed with "${char}"`,
        hint: `close it, or write "[${opener}]" to match "${opener}" itself`,
      };
    }
    const stray = Object.keys(OPENERS).find((closer) => OPENERS[closer] === char);
    if (stray !== undefined && side === "opening") {
      return {
        message: `${quoted} does not compile: a "${stray}" closes no "${char}"`,
        hint: `to match "${stray}" itself, write "[${stray}]"`,
      };
    }
    const why = (error as Error).message.split(": ").at(-1);
    return {
      message: `${quoted} does not compile: ${why}`,
      hint: `see "Path globs" in docs/CONFIGURATION.md`,
    };
  }
}

/** `fix` quotes a corrected body as the whole entry, its `!` kept. */
type Check = (body: string, quoted: string, fix: (body: string) => string) => GlobProblem | undefined;

/**
 * Checks in order; each catches a pattern that cannot compile, that never matches a path from
 * the project root, or whose meaning differs from what the same text means in .gitignore.
 */
const CHECKS: readonly Check[] = [
  (body, quoted, fix) =>
    body === "" ? { message: `${quoted} excludes nothing`, hint: `write ${fix("docs/**")}` } : undefined,
  (body, quoted, fix) =>
    body !== body.trim()
      ? { message: `${quoted} starts or ends with a space`, hint: `write ${fix(body.trim())}` }
      : undefined,
  (body, quoted, fix) =>
    /^(?:\/|[A-Za-z]:[\\/])/.test(body)
      ? {
          message: `${quoted} is an absolute path and never matches: rules match paths from the project root`,
          hint: `write ${fix(body.replace(/^(?:[A-Za-z]:)?[\\/]+/, "").replaceAll("\\", "/"))}`,
        }
      : undefined,
  (body, quoted, fix) =>
    body.includes("\\")
      ? {
          message: `${quoted} uses "\\": folders are separated by "/", and a class such as "[*]" matches "*" itself`,
          hint: `write ${fix(body.replaceAll("\\", "/"))}`,
        }
      : undefined,
  (body, quoted, fix) => {
    const segments = body.replace(/^\.\//, "").replace(/\/$/, "").split("/");
    if (!segments.some((segment) => segment === "" || segment === "." || segment === "..")) return undefined;
    const fixed = segments.filter((segment) => !["", ".", ".."].includes(segment)).join("/");
    return {
      message: `${quoted} has an empty, "." or ".." folder and never matches: paths from git have none`,
      hint: `write ${fix(fixed || "**")}`,
    };
  },
  compileProblem,
  (body, quoted, fix) =>
    /\{[^}]*, /.test(body)
      ? {
          message: `${quoted} has a space after "," in braces, which becomes part of the next choice`,
          hint: `write ${fix(body.replace(/, +/g, ","))}`,
        }
      : undefined,
  (body, quoted, fix) =>
    /\]\+(?!\()/.test(body)
      ? {
          message: `${quoted} has "+" after a class, which repeats the class instead of matching "+"`,
          hint: `write ${fix(body.replace(/\]\+(?!\()/g, "][+]"))} for a "+", or "+([0-9])" for one or more`,
        }
      : undefined,
  (body, quoted, fix) => {
    const segments = body.split("/");
    const odd = segments.findIndex((segment) => segment.includes("**") && segment !== "**");
    if (odd < 0 || /[()]/.test(segments[odd] as string)) return undefined;
    const segment = segments[odd] as string;
    const spread = segment
      .replace("**", "*/**/*")
      .replace(/^\*\/(?=\*\*)/, "")
      .replace(/(?<=\*\*)\/\*$/, "");
    segments[odd] = spread;
    return {
      message: `${quoted}: "**" spans folders only as a whole segment; in "${segment}" it is a plain "*"`,
      hint: `write ${fix(segments.join("/"))}`,
    };
  },
  (body, quoted, fix) =>
    body !== "**" && !body.includes("/") && picomatch.scan(body).isGlob
      ? {
          message: `${quoted} matches only at the project root, not in its folders`,
          hint: `write ${fix(`**/${body}`)} for every folder, or ${fix(`./${body}`)} for the root only`,
        }
      : undefined,
];

/** What is wrong with one path glob (an entry of a list, so `!…` excludes), or undefined. */
export function pathGlobProblem(pattern: string): GlobProblem | undefined {
  const body = isExclusion(pattern) ? pattern.slice(1) : pattern;
  const quoted = JSON.stringify(pattern);
  const prefix = pattern.slice(0, pattern.length - body.length);
  const fix = (fixed: string) => JSON.stringify(prefix + fixed);
  for (const check of CHECKS) {
    const problem = check(body, quoted, fix);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Every problem of a path-glob list: its entries', and for a `standalone` list (not one added to
 * another) exclusions only, which match nothing.
 */
export function pathGlobListProblems(
  patterns: readonly string[],
  { standalone = true }: { standalone?: boolean } = {},
): GlobListProblem[] {
  const problems = patterns.flatMap((pattern, index) => {
    const problem = pathGlobProblem(pattern);
    return problem ? [{ index, ...problem }] : [];
  });
  if (standalone && problems.length === 0 && patterns.length > 0 && patterns.every(isExclusion)) {
    problems.push({
      index: 0,
      message: 'every entry is an exclusion ("!…"), so the list matches nothing',
      hint: `add what they exclude from: ${JSON.stringify(["**", ...patterns])}`,
    });
  }
  return problems;
}
