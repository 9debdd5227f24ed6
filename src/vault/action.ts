import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { z } from "zod";
import { GafferError } from "../errors.ts";
import { TIERS } from "./tier.ts";
import { checkToml, type FileProblem, problemError, shown } from "./toml.ts";

/**
 * disinto's vault files, read as disinto writes them. An action TOML (`vault/actions/<id>.toml`)
 * names a formula, its context and the secrets it needs; any other key is refused. A request
 * for a human (`vault/pending/<slug>.md`, or a TOML with `[action_required]`) asks a person to
 * do something and unblocks work when done.
 */

const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const MOUNTS = ["ssh", "gpg", "sops"] as const;

const actionSchema = z.strictObject({
  id: z.string().regex(safeName, "use letters, digits, '.', '-' or '_' (it names files)").describe("unique"),
  formula: z
    .string()
    .regex(safeName, "use letters, digits, '.', '-' or '_'")
    .refine((formula) => formula !== "merge", '"merge" is gaffer\'s own action: use `gaffer merge <run>`'),
  context: z.string().min(1, "say why the action is needed"),
  secrets: z
    .array(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "a secret is an environment variable name, e.g. GITHUB_TOKEN"),
    )
    .describe("the only secrets the action gets"),
  mounts: z.array(z.enum(MOUNTS)).default([]),
  model: z.string().min(1, "must be a non-empty string").optional(),
  tools: z.array(z.string().min(1)).default([]),
  timeout_minutes: z.number().int().positive().default(60),
  blast_radius: z.enum(TIERS).optional().describe("may raise the policy's tier, never lower it"),
  dispatch_mode: z.enum(["direct", "pr"]).optional().describe("written by disinto's dispatcher; not used"),
});

export type DisintoAction = z.output<typeof actionSchema>;

const humanRequestSchema = z.strictObject({
  context: z.string().min(1),
  unblocks: z.array(z.string().min(1)).default([]),
  action_required: z.strictObject({ description: z.string().min(1) }),
});

type VaultFile =
  | { kind: "action"; action: DisintoAction; problems: [] }
  | { kind: "human-request"; problems: [] }
  | { kind: "invalid"; problems: FileProblem[] };

/** Checks a TOML vault file: an action, or (with `[action_required]`) a request for a human. */
export function checkTomlFile(text: string): VaultFile {
  if (asksAPerson(text)) {
    const checked = checkToml(text, humanRequestSchema);
    return checked.ok ? { kind: "human-request", problems: [] } : invalid(checked.problems);
  }
  const checked = checkToml(text, actionSchema);
  return checked.ok ? { kind: "action", action: checked.data, problems: [] } : invalid(checked.problems);
}

/** Reads an action file for a request; a request for a human, or any problem, is a GafferError. */
export function readActionFile(file: string): DisintoAction {
  if (!existsSync(file))
    throw new GafferError("usage", `no file ${shown(file)}`, "give a disinto action .toml file");
  const checked = checkTomlFile(readFileSync(file, "utf8"));
  if (checked.kind === "action") return checked.action;
  if (checked.kind === "invalid") throw problemError("invalid-input", file, checked.problems);
  throw new GafferError(
    "invalid-input",
    `${shown(file)} asks a person to act; gaffer cannot execute it`,
    "do what it asks; `gaffer vault lint` checks it",
  );
}

function asksAPerson(text: string): boolean {
  try {
    return "action_required" in parse(text);
  } catch {
    return false; // checked as an action, which reports the syntax error
  }
}

const REQUEST_SECTIONS = ["What", "Why", "Human action"] as const;

/** Checks a markdown request for a human: `# Request: …`, then `## What`, `## Why` and `## Human action`. */
export function checkMarkdownRequest(text: string): VaultFile {
  const lines = text.split(/\r?\n/);
  const problems: FileProblem[] = [];
  if (!/^# Request: \S/.test(lines[0] ?? "")) {
    problems.push({
      line: 1,
      message: 'the first line is not "# Request: <what is needed>"',
      hint: "start with # Request: …",
    });
  }
  const headings = new Set(lines.flatMap((line) => /^## (.+?)\s*$/.exec(line)?.[1] ?? []));
  for (const section of REQUEST_SECTIONS) {
    if (!headings.has(section)) {
      problems.push({
        line: undefined,
        message: `section "## ${section}" is missing`,
        hint: `add a ## ${section} section`,
      });
    }
  }
  return problems.length ? invalid(problems) : { kind: "human-request", problems: [] };
}

function invalid(problems: FileProblem[]): VaultFile {
  return { kind: "invalid", problems };
}
