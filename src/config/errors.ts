import type { z } from "zod";
import { locateKey } from "./locate.ts";
import { didYouMean } from "./suggest.ts";

export interface ConfigProblem {
  line: number | undefined;
  message: string;
  hint: string;
}

/** Turns zod issues into problems that name the line, the key and the fix. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  text: string,
  schema: z.ZodType,
  input: unknown,
): ConfigProblem[] {
  const unknownKeysFirst = [...issues].sort(
    (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
  );
  return unknownKeysFirst.map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0] as string;
      const known = keysAt(schema, path, input);
      const suggestion = didYouMean(key, known);
      return {
        line: locateKey(text, [...path, key]),
        message: `unknown key "${key}"${path.length ? ` in [${dotted(path)}]` : ""}`,
        hint: suggestion ? `did you mean "${suggestion}"?` : `valid keys here: ${known.join(", ")}`,
      };
    }
    const where = dotted(path);
    const line = locateKey(text, path);
    if (issue.code === "invalid_type" && valueAt(input, path) === undefined) {
      const parent = path.slice(0, -1);
      return {
        line: locateKey(text, parent),
        message: `missing key "${String(path.at(-1))}"${parent.length ? ` in [${dotted(parent)}]` : ""}`,
        hint: `add ${String(path.at(-1))} = <${article(issue.expected)}>`,
      };
    }
    if (issue.code === "invalid_type") {
      return {
        line,
        message: `${where}: expected ${article(issue.expected)}, got ${kindOf(valueAt(input, path))}`,
        hint: "fix the value's type",
      };
    }
    if (issue.code === "custom" && typeof issue.params?.["hint"] === "string") {
      return { line, message: `${where}: ${issue.message}`, hint: issue.params["hint"] as string };
    }
    const choices =
      issue.code === "invalid_value" ? issue.values : "options" in issue ? issue.options : undefined;
    if ((issue.code === "invalid_union" || issue.code === "invalid_value") && Array.isArray(choices)) {
      const options = (choices as unknown[]).map((o) => `"${String(o)}"`).join(", ");
      return { line, message: `${where}: must be one of ${options}`, hint: "set it to one of those" };
    }
    if (issue.code === "invalid_union") {
      return { line, message: `${where}: ${describeUnion(issue.errors)}`, hint: "fix the value's type" };
    }
    return { line, message: `${where}: ${issue.message}`, hint: "see docs/CONFIGURATION.md" };
  });
}

function describeUnion(errors: readonly (readonly z.core.$ZodIssue[])[]): string {
  const expected = errors.flatMap((branch) =>
    branch.filter((i) => i.code === "invalid_type").map((i) => article(i.expected)),
  );
  return expected.length ? `expected ${expected.join(" or ")}` : "has an invalid value";
}

function article(expected: string): string {
  const names: Record<string, string> = {
    array: "a list",
    object: "a table",
    record: "a table",
    string: "a string",
    number: "a number",
    boolean: "true or false",
  };
  return names[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value === null || typeof value === "object") return "a table";
  return `${typeof value === "string" ? "a string" : typeof value} ${JSON.stringify(value)}`;
}

/** The value at a key path of parsed TOML, or undefined. */
export function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  return value;
}

/** A key path as errors show it: `roles[2].backend`, `phases[0].models`. */
export function dotted(path: readonly (string | number)[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : part))
    .join(".")
    .replace(/\.\[/g, "[");
}

type SchemaDef = {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};

/**
 * The keys a table at `path` accepts, walking through defaults, pipes, records, lists and unions.
 * Of a union, only the options the table's own values choose count (an `[agents.x]` with
 * `driver = "command"` is a command preset: the keys of an ACP preset are not valid there).
 */
function keysAt(schema: z.ZodType, path: readonly (string | number)[], input: unknown): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const [depth, part] of [...path, undefined].entries()) {
    const value = valueAt(input, path.slice(0, depth));
    nodes = nodes.flatMap((node) => unwrap(node, value));
    if (part === undefined) break;
    nodes = nodes.flatMap((node) => {
      const def = defOf(node);
      if (def.type === "object")
        return def.shape?.[String(part)] ? [def.shape[String(part)] as z.ZodType] : [];
      if (def.type === "record") return def.valueType ? [def.valueType] : [];
      if (def.type === "array") return def.element ? [def.element] : [];
      return [];
    });
  }
  return [...new Set(nodes.flatMap((node) => Object.keys(defOf(node).shape ?? {})))];
}

function unwrap(node: z.ZodType, value: unknown): z.ZodType[] {
  const def = defOf(node);
  if (def.type === "union") {
    const options = (def.options ?? []).flatMap((option) => unwrap(option, value));
    const chosen = options.filter((option) => chosenBy(option, value));
    return chosen.length > 0 ? chosen : options;
  }
  const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  return inner ? unwrap(inner, value) : [node];
}

/** Whether a table's values match every literal (a discriminator such as `driver`) of an object schema. */
function chosenBy(option: z.ZodType, value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  return Object.entries(defOf(option).shape ?? {}).every(([key, field]) => {
    const def = defOf(field) as SchemaDef & { values?: unknown[] };
    return def.type !== "literal" || (def.values ?? []).includes((value as Record<string, unknown>)[key]);
  });
}

function defOf(node: z.ZodType): SchemaDef {
  const def = (node as unknown as { def: SchemaDef & { shape?: unknown } }).def;
  const shape =
    typeof def.shape === "function" ? (def.shape as () => Record<string, z.ZodType>)() : def.shape;
  return { ...def, shape: shape as Record<string, z.ZodType> | undefined };
}
