import { GafferError } from "../../errors.ts";
import type { Conventions } from "./conventions.ts";
import {
  BRIEF_HEADER,
  CONVENTIONS_HEADING,
  FAILURE_HEADING,
  NOTICE_HEADING,
  REVIEW_HEADING,
  ROLE_HEADING,
  TASK_HEADING,
  TEMPLATE_SLOTS,
  type TemplateSlot,
} from "./templates.ts";
import { fencedBlock, readAgentFile } from "../../util/index.ts";

export interface BriefInput {
  conventions: Conventions | undefined;
  item: { id: number | string; title: string; body: string };
  /** 1-based attempt number within the run. */
  attempt: number;
  /** The compressed gate failure the agent must fix; absent on a first attempt. */
  failure?: string;
  /** A reviewer's findings the agent must address; absent unless a review asked for changes. */
  review?: string;
  /** The factory role the agent plays, with its prompt file's text. */
  role?: { name: string; instructions: string };
  /** Something gaffer tells the agent, e.g. why its previous session was stopped. */
  notice?: string;
  /** A custom template's text: plain text with `{{slot}}` placeholders (see TEMPLATE_SLOTS). */
  template?: string;
  /** Where the template came from, for error messages. */
  templateFile?: string;
}

const SLOT = /\{\{([^{}]*)\}\}/g;

const TEMPLATE_MAX_BYTES = 256 * 1024;

/**
 * Reads a template file and checks its slots, so a typo fails at startup rather than mid-run. The
 * file lives in the project, where a merged proposal may have put it: a symlink, a FIFO or a file
 * over 256 KiB is refused.
 */
export function loadBriefTemplate(file: string): string {
  const read = readAgentFile(file, { maxBytes: TEMPLATE_MAX_BYTES });
  if (!read.ok) {
    throw new GafferError(
      "config-invalid",
      `prompt template ${file} cannot be read (${read.reason})`,
      "check the path: a regular file of at most 256 KiB, not a symlink",
    );
  }
  const text = read.data.toString("utf8");
  const placeholder = { conventions: undefined, item: { id: "", title: "", body: "" }, attempt: 1 };
  fillSlots(text, file, slotValues(placeholder));
  return text;
}

/** The agent's brief for one attempt: the default layout, or the user's template filled in. */
export function renderBrief(input: BriefInput): string {
  const values = slotValues(input);
  if (input.template !== undefined) {
    return fillSlots(input.template, input.templateFile ?? "(inline)", values);
  }
  const sections = [BRIEF_HEADER];
  if (input.role) {
    const heading = ROLE_HEADING.replace("{{role}}", () => values.role);
    sections.push(`${heading}\n${values.role_instructions}`.trimEnd());
  }
  if (input.conventions) {
    const heading = CONVENTIONS_HEADING.replace("{{conventions_file}}", () => values.conventions_file);
    sections.push(`${heading}\n${values.conventions}`);
  }
  sections.push(`${TASK_HEADING}\n# ${values.item_title}\n${values.item_body}`.trimEnd());
  if (input.failure) sections.push(`${FAILURE_HEADING}\n${fencedBlock(values.failure)}`);
  if (input.review) sections.push(`${REVIEW_HEADING}\n${values.review}`);
  if (input.notice) sections.push(`${NOTICE_HEADING}\n${values.notice}`);
  return sections.join("\n\n");
}

function slotValues(input: BriefInput): Record<TemplateSlot, string> {
  return {
    conventions: input.conventions?.text.trimEnd() ?? "",
    conventions_file: input.conventions?.file ?? "",
    item_id: String(input.item.id),
    item_title: input.item.title,
    item_body: input.item.body.trimEnd(),
    attempt: String(input.attempt),
    failure: input.failure?.trimEnd() ?? "",
    review: input.review?.trimEnd() ?? "",
    role: input.role?.name ?? "",
    role_instructions: input.role?.instructions.trimEnd() ?? "",
    notice: input.notice?.trimEnd() ?? "",
  };
}

function fillSlots(template: string, file: string, values: Record<TemplateSlot, string>): string {
  return template.replace(SLOT, (_, raw: string) => {
    const name = raw.trim();
    if (!isSlot(name)) {
      throw new GafferError(
        "config-invalid",
        `prompt template ${file}: unknown slot {{${name}}}`,
        `the slots are ${TEMPLATE_SLOTS.map((slot) => `{{${slot}}}`).join(", ")}`,
      );
    }
    return values[name];
  });
}

function isSlot(name: string): name is TemplateSlot {
  return (TEMPLATE_SLOTS as readonly string[]).includes(name);
}
