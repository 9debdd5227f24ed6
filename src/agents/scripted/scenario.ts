import { parse, TomlError } from "smol-toml";
import { z } from "zod";
import { GafferError } from "../../errors.ts";
import { lineOf } from "./scenario-lines.ts";
import { STEP_KINDS, STEP_SCHEMAS, type Step, type StepKind } from "./steps-schema.ts";
import { readScenarioText } from "./scenario-file.ts";

export type { Step } from "./steps-schema.ts";

/**
 * A scripted agent's behaviour: one list of steps per attempt, and one per review round when it
 * plays a reviewer; in both, the last list repeats.
 */
export interface Scenario {
  name: string;
  attempts: Step[][];
  reviews: Step[][];
}

const HINT = "see docs/SCENARIOS.md for the scenario format and every step kind";

const stepList = z.object({ steps: z.array(z.record(z.string(), z.unknown())) }).strict();

const scenarioSchema = z
  .object({
    name: z.string().default("unnamed scenario"),
    description: z.string().optional(),
    attempts: z.array(stepList).min(1),
    reviews: z.array(stepList).default([]),
  })
  .strict();

/** What is wrong and where; `key` is an offending key that is not part of the path (an unknown key). */
type Issue = { path: PropertyKey[]; message: string; key?: string };

/** The scenario played when none is given: it has nothing to do. */
export const DEFAULT_SCENARIO: Scenario = {
  name: "nothing to do",
  attempts: [[{ kind: "say", text: "The scripted agent has no scenario, so it has nothing to do." }]],
  reviews: [],
};

/** A review round with no `[[reviews]]` in the scenario: the scripted reviewer approves. */
const APPROVE: Step[] = [
  {
    kind: "say",
    text: JSON.stringify({ verdict: "approve", summary: "The scripted reviewer has no review steps." }),
  },
];

/**
 * Parses scenario TOML. Bad input throws GafferError("invalid-input") with one line:
 * `<source>:<line>: <what is wrong>`. `firstLine` numbers the text's first line (for prompt blocks).
 */
export function parseScenario(text: string, source: string, firstLine = 1): Scenario {
  const fail = (line: number, message: string) =>
    new GafferError("invalid-input", `${source}:${line + firstLine - 1}: ${message}`, HINT);
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw fail(
      error.line,
      error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ?? "invalid TOML",
    );
  }
  const outer = scenarioSchema.safeParse(data);
  const issue = outer.success ? undefined : toIssue(outer.error.issues[0]);
  if (issue) throw fail(issueLine(text, issue), describe(issue));
  const { name, attempts, reviews } = outer.data as z.output<typeof scenarioSchema>;
  const parseLists = (top: "attempts" | "reviews", lists: { steps: Record<string, unknown>[] }[]) =>
    lists.map((list, a) =>
      list.steps.map((raw, s) => {
        const step = parseStep(raw);
        if ("kind" in step) return step;
        const issue = { ...step, path: [top, a, "steps", s, ...step.path] };
        throw fail(issueLine(text, issue), describe(issue));
      }),
    );
  return { name, attempts: parseLists("attempts", attempts), reviews: parseLists("reviews", reviews) };
}

/** Reads and parses a scenario file; a missing or bad file is GafferError("invalid-input"). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  return parseScenario(readScenarioText(path), path);
}

/** The scenario in a ```scenario fenced block of a prompt, if there is one. */
export function scenarioFromPrompt(prompt: string): Scenario | undefined {
  const match = /^```scenario[^\n]*\n([\s\S]*?)^```/m.exec(prompt);
  if (!match?.[1]) return undefined;
  const firstLine = prompt.slice(0, match.index).split("\n").length + 1;
  return parseScenario(match[1], "prompt scenario block", firstLine);
}

/** Attempt N plays attempts[min(N, count) - 1]. */
export function stepsForAttempt(scenario: Scenario, attempt: number): Step[] {
  return nth(scenario.attempts, attempt);
}

/** Review round N plays reviews[min(N, count) - 1]; without reviews, the reviewer approves. */
export function stepsForReview(scenario: Scenario, round: number): Step[] {
  return scenario.reviews.length > 0 ? nth(scenario.reviews, round) : APPROVE;
}

function nth(lists: Step[][], n: number): Step[] {
  const index = Math.min(Math.max(Math.trunc(n), 1), lists.length) - 1;
  return lists[index] ?? [];
}

function parseStep(raw: Record<string, unknown>): Step | Issue {
  const keys = Object.keys(raw);
  const kinds = keys.filter((key): key is StepKind => key in STEP_SCHEMAS);
  if (kinds.length !== 1) {
    const message =
      kinds.length > 1
        ? `a step has exactly one kind, found ${kinds.map((k) => `"${k}"`).join(" and ")}`
        : `unknown step ${keys[0] ? `"${keys[0]}"` : "{}"}; expected one of: ${STEP_KINDS.join(", ")}`;
    return { path: [], message, key: kinds[1] ?? keys[0] };
  }
  const result = STEP_SCHEMAS[kinds[0] as StepKind].safeParse(raw);
  return result.success ? result.data : toIssue(result.error.issues[0]);
}

function toIssue(issue: z.core.$ZodIssue | undefined): Issue {
  if (!issue) return { path: [], message: "invalid scenario" };
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return { path: issue.path, message: `unknown key "${key}"`, key };
  }
  const message = issue.message.endsWith("received undefined") ? "is required" : issue.message;
  return { path: issue.path, message };
}

function issueLine(text: string, issue: Issue): number {
  return lineOf(text, issue.key === undefined ? issue.path : [...issue.path, issue.key]);
}

/** "attempt 2, step 1, \"content\": is required": attempts and steps counted from 1, as people count them. */
function describe(issue: Issue): string {
  const path = [...issue.path];
  const parts: string[] = [];
  for (const [key, label] of [
    ["attempts", "attempt"],
    ["reviews", "review"],
    ["steps", "step"],
  ] as const) {
    const index = path[1];
    if (path[0] !== key || typeof index !== "number") continue;
    parts.push(`${label} ${index + 1}`);
    path.splice(0, 2);
  }
  if (path.length > 0) parts.push(`"${path.map(String).join(".")}"`);
  return parts.length > 0 ? `${parts.join(", ")}: ${issue.message}` : issue.message;
}
