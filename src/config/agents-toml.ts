import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import {
  defaultPolicy,
  type FactoryConfig,
  type FactorySettings,
  reviewsByDefault,
  type Role,
} from "./factory.ts";
import { phaseSchema, roleFields, roleName } from "./factory-schema.ts";
import { parseTomlFile } from "./toml-file.ts";

/**
 * An agent-orchestrator `agents.toml`, read as it is: `session_prefix`, `log_dir`, `roles_dir`,
 * `kickoff`, `[defaults]`, roles as `[[roles]]` with a `name` or as `[roles.<name>]`, and
 * `[[phases]]` whose `models` is a table or one string.
 */
/** The engine's dependency-free backend; gaffer's equivalent is its scripted agent. */
const DEMO_BACKEND = "demo";

const roleTable = z.strictObject({
  ...roleFields,
  backend: roleName.optional().describe("agent preset; default [defaults] backend; demo: the scripted agent"),
  command: z.string().min(1).optional().describe("a service's command"),
});

const settings = {
  session_prefix: z.string().optional().describe("namespace of the sessions; default <dir>-"),
  log_dir: z.string().min(1).optional().describe("the engine's state: state/phase-idx, kickoff-*.txt"),
  roles_dir: z.string().min(1).default("prompts").describe("where <role>.md prompts live"),
  kickoff: z.string().min(1).optional().describe("kickoff template with {phase_id} {plan} {status} {role}"),
  defaults: z
    .strictObject({
      model: z.string().min(1).optional().describe("model for roles and phases that name none"),
      backend: roleName.default("claude").describe("agent preset for roles that name none"),
    })
    .prefault({}),
  phases: z.array(phaseSchema).default([]).describe("the ordered phases of the work"),
};

/** `[[roles]]` with a `name` each, or `[roles.<name>]` tables: chosen by what the file has, so errors stay precise. */
const listForm = z.strictObject({
  ...settings,
  roles: z
    .array(roleTable.extend({ name: roleName.describe("the role's name") }))
    .transform((roles) => roles.map(({ name, ...role }) => [name, role] as const)),
});
const tableForm = z.strictObject({
  ...settings,
  roles: z
    .record(roleName, roleTable)
    .default({})
    .transform((roles) => Object.entries(roles)),
});

const agentsSchema = (input: unknown) =>
  Array.isArray((input as { roles?: unknown }).roles) ? listForm : tableForm;

/** The parsed file as written (for locating keys) and the factory it describes. */
export interface AgentsToml {
  input: unknown;
  factory: FactoryConfig;
}

/**
 * Reads agents.toml into the same FactoryConfig as gaffer.toml's roles. Paths are resolved against
 * the file's directory; `settings` (concurrency, leases, stall times) come from gaffer.toml.
 */
export function parseAgentsToml(text: string, file: string, settings: FactorySettings): AgentsToml {
  const { input, data } = parseTomlFile(text, file, agentsSchema);
  const dir = dirname(file);
  const at = (path: string) => (isAbsolute(path) ? path : resolve(dir, path));
  const agent = (backend: string) => (backend === DEMO_BACKEND ? "scripted" : backend);
  const rolesDir = at(data.roles_dir);
  const roles = data.roles.map(([name, role]): Role => ({
    name,
    kind: role.kind,
    agent: role.kind === "service" ? undefined : agent(role.backend ?? data.defaults.backend),
    model: role.model,
    policy: role.policy ?? defaultPolicy(role.kind),
    enabled: role.enabled,
    concurrency: 1,
    schedule: undefined,
    prompt: join(rolesDir, `${name}.md`),
    labels: [],
    command: role.command,
    session: role.session ?? name,
    reviews: reviewsByDefault(name),
    continuation: "fresh",
  }));
  const factory: FactoryConfig = {
    file,
    format: "agents.toml",
    sessionPrefix: data.session_prefix ?? `${basename(dir)}-`,
    logDir: data.log_dir !== undefined ? at(data.log_dir) : undefined,
    rolesDir,
    kickoff: data.kickoff !== undefined ? at(data.kickoff) : undefined,
    defaults: { model: data.defaults.model, agent: agent(data.defaults.backend) },
    roles,
    phases: data.phases.map((phase) => ({ id: phase.id, plan: phase.plan, models: phase.models })),
    settings,
  };
  return { input, factory };
}
