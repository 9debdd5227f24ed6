import { join } from "node:path";
import {
  didYouMean,
  type FactoryConfig,
  type Phase,
  type Role,
  sessionName,
  shownPath,
} from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { readAgentFile } from "../util/index.ts";

/**
 * A role's kickoff: the kickoff template with its `{phase_id}`, `{plan}`, `{status}` and `{role}`
 * slots filled (`{{` and `}}` stand for literal braces, as in the engine's templates), followed by
 * the role's prompt file `<roles_dir>/<role>.md` after one blank line. Without a configured
 * template the built-in one below is used; a role without a prompt file gets the template alone.
 */
const SLOTS = ["phase_id", "plan", "status", "role"] as const;

const BUILT_IN_TEMPLATE = `You are the {role} of this project. The current phase is {phase_id} ({status}); its plan is {plan}.
`;

export function renderKickoff(factory: FactoryConfig, role: Role, phase: Phase, status: string): string {
  const template = factory.kickoff ? readTemplate(factory.kickoff) : BUILT_IN_TEMPLATE;
  const values = { phase_id: phase.id, plan: phase.plan, status, role: role.name };
  const head = fillSlots(template, values, factory.kickoff ?? "the built-in kickoff");
  const prompt = readRolePrompt(role) ?? "";
  return prompt === "" ? head : `${head.trimEnd()}\n\n${prompt}`;
}

/** Where `gaffer kickoff --write` puts it: `kickoff-<session>.txt` in the log dir (agents.toml) or `.gaffer/factory/`. */
export function kickoffFile(factory: FactoryConfig, role: Role, stateDir: string): string {
  return join(factory.logDir ?? join(stateDir, "factory"), `kickoff-${sessionName(factory, role)}.txt`);
}

/** The biggest role prompt or kickoff template read. */
const PROMPT_MAX_BYTES = 256 * 1024;

/**
 * The role's prompt file, undefined when it has none. Prompt files live in the project, where a
 * merged proposal can put anything: a symlink, a FIFO or a file over 256 KiB is refused.
 */
export function readRolePrompt(role: Pick<Role, "prompt">): string | undefined {
  return role.prompt === undefined ? undefined : readProjectText(role.prompt, "role prompt", false);
}

function readTemplate(file: string): string {
  return readProjectText(file, "kickoff template", true) ?? "";
}

function readProjectText(file: string, what: string, required: boolean): string | undefined {
  const read = readAgentFile(file, { maxBytes: PROMPT_MAX_BYTES });
  if (read.ok) return read.data.toString("utf8");
  if (read.reason === "missing" && !required) return undefined;
  throw new GafferError(
    "config-invalid",
    read.reason === "missing"
      ? `${what} ${shownPath(file)} does not exist`
      : `${what} ${shownPath(file)} cannot be read (${read.reason})`,
    read.reason === "missing"
      ? "create it, or fix the factory's configuration"
      : "make it a regular file of at most 256 KiB, not a symlink",
  );
}

function fillSlots(template: string, values: Record<(typeof SLOTS)[number], string>, file: string): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, slot: string | undefined, offset: number) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    if (slot !== undefined && slot in values) return values[slot as keyof typeof values];
    const line = template.slice(0, offset).split("\n").length;
    const suggestion = didYouMean(slot ?? "", [...SLOTS]);
    throw new GafferError(
      "config-invalid",
      `${shownPath(file)}:${line}: unknown slot ${match} in the kickoff template`,
      `${suggestion ? `did you mean {${suggestion}}? ` : ""}slots: ${SLOTS.map((s) => `{${s}}`).join(" ")}; write {{ and }} for literal braces`,
    );
  });
}
