import type { GateEvidence, Item } from "../../store/index.ts";
import { VERDICT_SCHEMA } from "./verdict.ts";

export interface ReviewBriefInput {
  item: Pick<Item, "id" | "title" | "body">;
  round: number;
  /** `git diff base..head` of the proposal, capped. */
  diff: string;
  diffTruncated: boolean;
  evidence: GateEvidence[];
  role: { name: string; instructions: string | undefined };
}

/**
 * The reviewer's brief: the item, the proposal's diff and gaffer's gate evidence — never the
 * builder's transcript, so the verdict is not anchored on the builder's own account.
 */
export function renderReviewBrief(input: ReviewBriefInput): string {
  const evidence = input.evidence.map(
    (e) => `- ${e.name}: \`${e.command}\` exited ${e.exitCode ?? "without a code"} in ${e.durationMs} ms`,
  );
  const sections = [
    [
      "You are reviewing a proposed change to this repository, adversarially: find what is wrong",
      "with it before a human merges it. The workspace is checked out at the proposal; read the",
      "code as you need. Do not change any file: your only output is your verdict.",
    ].join("\n"),
  ];
  if (input.role.instructions)
    sections.push(`# Your role (${input.role.name})\n${input.role.instructions.trimEnd()}`);
  sections.push(`# The work item #${input.item.id}: ${input.item.title}\n${input.item.body.trimEnd()}`);
  sections.push(
    `# The gate gaffer ran on the proposal (all green)\n${evidence.join("\n") || "(no gate evidence)"}`,
  );
  sections.push(
    `# The diff${input.diffTruncated ? " (truncated; read the files for the rest)" : ""}\n\`\`\`diff\n${input.diff.trimEnd()}\n\`\`\``,
  );
  sections.push(
    [
      `# Your answer (review round ${input.round})`,
      "End your answer with one JSON object in a ```json block, valid against this schema:",
      "```json",
      JSON.stringify(VERDICT_SCHEMA, null, 2),
      "```",
      'Approve with {"verdict": "approve", "summary": "…"}. Ask for changes with',
      '{"verdict": "request-changes", "summary": "…", "findings": [{"file": "src/x.ts", "line": 12,',
      '"severity": "major", "text": "what is wrong and what to do"}]}.',
    ].join("\n"),
  );
  return sections.join("\n\n");
}
