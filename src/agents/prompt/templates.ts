/**
 * The wording of the agent's brief. It follows the Module-25 runner's prompt sections word for
 * word, so agent setups built for it behave the same; the one change is that gaffer lets the agent
 * commit on its own branch, so the header forbids only pushing and merging.
 */

export const BRIEF_HEADER = [
  "You are working in a Git repository on the current branch. Make the change directly in",
  "the files. Do not push or merge — just edit. Follow the project's conventions.",
].join("\n");

export const CONVENTIONS_HEADING = "# Project conventions (from {{conventions_file}})";

export const TASK_HEADING = "# Task (issue to implement)";

export const FAILURE_HEADING = [
  "# A CI check just failed. Fix the CODE so it passes — do not weaken or delete",
  "# the test to make it pass. Here is the failing output:",
].join("\n");

export const REVIEW_HEADING = [
  "# A reviewer asked for changes to your proposal. Address every finding; the gate",
  "# must stay green. The findings:",
].join("\n");

export const ROLE_HEADING = "# Your role ({{role}})";

export const NOTICE_HEADING = "# Note from gaffer";

/** The slots a custom template (`{{name}}`) may use. */
export const TEMPLATE_SLOTS = [
  "conventions",
  "conventions_file",
  "item_id",
  "item_title",
  "item_body",
  "attempt",
  "failure",
  "review",
  "role",
  "role_instructions",
  "notice",
] as const;

export type TemplateSlot = (typeof TEMPLATE_SLOTS)[number];
