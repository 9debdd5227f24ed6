import { relative } from "node:path";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { describeIssues } from "../config/index.ts";
import { type ErrorCode, GafferError } from "../errors.ts";

/** A problem in a file: the line when known, a message naming the key, and the fix. */
export interface FileProblem {
  line: number | undefined;
  message: string;
  hint: string;
}

export type Checked<T> = { ok: true; data: T } | { ok: false; problems: FileProblem[] };

/** Parses TOML text against a schema; every problem is returned, with its line, never thrown. */
export function checkToml<S extends z.ZodType>(text: string, schema: S): Checked<z.output<S>> {
  let input: unknown;
  try {
    input = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const what = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ?? "invalid TOML";
    return {
      ok: false,
      problems: [{ line: error.line, message: what, hint: "fix the TOML syntax on that line" }],
    };
  }
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  // The schema errors' generic hint points at gaffer.toml's reference; vault files have their own.
  const problems = describeIssues(result.error.issues, text, schema, input).map((p) => ({
    ...p,
    hint: p.hint === "see docs/CONFIGURATION.md" ? "see docs/VAULT.md" : p.hint,
  }));
  return { ok: false, problems };
}

/** A file's first problem as the one-line GafferError gaffer prints: `file:line: message — hint`. */
export function problemError(code: ErrorCode, file: string, problems: readonly FileProblem[]): GafferError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new GafferError(
    code,
    `${shown(file)}${first?.line ? `:${first.line}` : ""}: ${first?.message ?? "invalid"}${more}`,
    first?.hint,
  );
}

/** A path as the user would type it: relative to the current directory when inside it. */
export function shown(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd && !fromCwd.startsWith("..") ? fromCwd : file;
}
