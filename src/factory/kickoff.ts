import { existsSync, readFileSync } from "node:fs";
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
  const prompt =
    role.prompt !== undefined && existsSync(role.prompt) ? readFileSync(role.prompt, "utf8") : "";
  return prompt === "" ? head : `${head.trimEnd()}\n\n${prompt}`;
}

/** Where `gaffer kickoff --write` puts it: `kickoff-<session>.txt` in the log dir (agents.toml) or `.gaffer/factory/`. */
export function kickoffFile(factory: FactoryConfig, role: Role, stateDir: string): string {
  return join(factory.logDir ?? join(stateDir, "factory"), `kickoff-${sessionName(factory, role)}.txt`);
}

function readTemplate(file: string): string {
  if (!existsSync(file)) {
    throw new GafferError(
      "config-invalid",
      `kickoff template ${shownPath(file)} does not exist`,
      "create it, or fix `kickoff` in the factory's configuration",
    );
  }
  return readFileSync(file, "utf8");
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
