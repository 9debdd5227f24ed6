import { Ajv2020 } from "ajv/dist/2020.js";
import type { ReviewFinding, Verdict } from "../../store/index.ts";

/** What a reviewer must answer: a JSON object valid against this schema (JSON Schema 2020-12). */
export const VERDICT_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://gaffer.dev/schemas/review-verdict.json",
  title: "gaffer review verdict",
  type: "object",
  required: ["verdict"],
  additionalProperties: false,
  properties: {
    verdict: { enum: ["approve", "request-changes"] },
    summary: { type: "string" },
    findings: {
      type: "array",
      items: {
        type: "object",
        required: ["file", "severity", "text"],
        additionalProperties: false,
        properties: {
          file: { type: "string", minLength: 1 },
          line: { type: "integer", minimum: 1 },
          severity: { enum: ["blocker", "major", "minor", "nit"] },
          text: { type: "string", minLength: 1 },
        },
      },
    },
  },
  if: { properties: { verdict: { const: "request-changes" } } },
  then: { required: ["findings"], properties: { findings: { type: "array", minItems: 1 } } },
} as const;

export interface ParsedVerdict {
  verdict: Verdict;
  summary: string;
  findings: ReviewFinding[];
}

let compiled: ReturnType<Ajv2020["compile"]> | undefined;

function validator(): ReturnType<Ajv2020["compile"]> {
  compiled ??= new Ajv2020({ allErrors: false, strict: true }).compile(VERDICT_SCHEMA);
  return compiled;
}

/**
 * The verdict in a reviewer's final message: the last ```json block, else the last `{…}` that
 * parses. Returns the reason instead when there is none or it breaks the schema.
 */
export function parseVerdict(message: string): ParsedVerdict | { error: string } {
  const candidates = jsonCandidates(message);
  if (candidates.length === 0) return { error: "the reviewer's answer holds no JSON verdict" };
  let problem = "";
  const validate = validator();
  for (const text of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem ||= "its JSON does not parse";
      continue;
    }
    if (!validate(value)) {
      const first = validate.errors?.[0];
      problem = `its verdict breaks the schema: ${first?.instancePath || "(root)"} ${first?.message ?? "is invalid"}`;
      continue;
    }
    const verdict = value as { verdict: Verdict; summary?: string; findings?: ReviewFinding[] };
    return { verdict: verdict.verdict, summary: verdict.summary ?? "", findings: verdict.findings ?? [] };
  }
  return { error: `the reviewer's answer is not a valid verdict: ${problem}` };
}

/**
 * Fenced json blocks, last first, then what runs from each `{` to the last `}`, latest start
 * first: prose before a bare verdict may hold braces of its own (`{}`, `${x}`).
 */
function jsonCandidates(message: string): string[] {
  const fenced = [...message.matchAll(/```json\s*\n([\s\S]*?)```/g)]
    .map((m) => (m[1] ?? "").trim())
    .reverse();
  const end = message.lastIndexOf("}");
  const braces: string[] = [];
  for (let start = end; start > 0;) {
    start = message.lastIndexOf("{", start - 1);
    if (start < 0) break;
    braces.push(message.slice(start, end + 1));
  }
  return [...fenced, ...braces];
}

/** The findings as the builder's next brief shows them. */
export function findingsText(verdict: ParsedVerdict): string {
  const lines = verdict.findings.map(
    (f) => `- [${f.severity}] ${f.file}${f.line !== undefined ? `:${f.line}` : ""}: ${f.text}`,
  );
  return [verdict.summary, ...lines].filter(Boolean).join("\n");
}
