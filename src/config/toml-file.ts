import { parse, TomlError } from "smol-toml";
import { z } from "zod";
import { GafferError } from "../errors.ts";
import { describeIssues } from "./errors.ts";
import { shownPath } from "./problem.ts";

/**
 * Reading a TOML file against a schema, for every file gaffer reads (gaffer.toml, agents.toml,
 * fleet.toml): any problem is one GafferError naming file, line and key, with a hint.
 */

// gaffer parses each of its files a few times per process at most: zod's compiled fast path
// costs more to build (~5 ms a start) than it ever saves.
z.config({ jitless: true });

/**
 * The parsed TOML (`input`, as written) and the schema's output (`data`, defaults filled in).
 * `schema` may be chosen by the input's shape, e.g. a list of tables or a table of tables.
 */
export function parseTomlFile<T>(
  text: string,
  file: string,
  schemaFor: z.ZodType<T> | ((input: unknown) => z.ZodType<T>),
): { input: unknown; data: T } {
  let input: unknown;
  try {
    input = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const what = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ?? "invalid TOML";
      throw new GafferError(
        "config-invalid",
        `${shownPath(file)}:${error.line}: ${what}`,
        "fix the TOML syntax on that line",
      );
    }
    throw error;
  }
  const schema = typeof schemaFor === "function" ? schemaFor(input) : schemaFor;
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, text, schema, input);
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new GafferError(
      "config-invalid",
      `${shownPath(file)}${first?.line ? `:${first.line}` : ""}: ${first?.message ?? "invalid"}${more}`,
      first?.hint,
    );
  }
  return { input, data: result.data };
}
