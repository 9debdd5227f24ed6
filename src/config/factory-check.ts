import type { FactoryConfig, Role } from "./factory.ts";
import type { GafferConfig } from "./compile.ts";
import { dotted, valueAt } from "./errors.ts";
import { problemAt } from "./problem.ts";
import { didYouMean } from "./suggest.ts";

export interface FactorySource {
  file: string;
  text: string;
  /** The TOML as written, to tell a key that was set from one that was defaulted. */
  input: unknown;
}

const AGENT_KEYS = {
  gaffer: { key: "agent", fallback: ["agent", "default"] },
  "agents.toml": { key: "backend", fallback: ["defaults", "backend"] },
} as const;

/** What the schema cannot see: duplicate names and sessions, unknown agents, phase models naming no role. */
export function checkFactory(
  factory: FactoryConfig,
  source: FactorySource,
  format: FactoryConfig["format"],
  config: GafferConfig,
): void {
  const fail = (path: (string | number)[], message: string, hint: string): never => {
    throw problemAt(source.file, source.text, path, `${dotted(path)}: ${message}`, hint);
  };
  const rolesInput = (source.input as { roles?: unknown }).roles;
  const rolePath = (role: Role, index: number) => ["roles", Array.isArray(rolesInput) ? index : role.name];
  // "command" is defined by $AGENT_CMD where the factory runs, which need not be here.
  const agents = [...new Set([...config.agents.keys(), "command"])];
  const names = new Map<string, number>();
  const sessions = new Map<string, string>();
  factory.roles.forEach((role, index) => {
    const path = rolePath(role, index);
    const first = names.get(role.name);
    if (first !== undefined)
      fail([...path, "name"], `duplicate role "${role.name}"`, `roles[${first}] has that name already`);
    names.set(role.name, index);
    const owner = sessions.get(role.session);
    if (owner !== undefined)
      fail(path, `session "${role.session}" is role ${owner}'s too`, "give each role its own `session`");
    sessions.set(role.session, role.name);
    // agents.toml's services (cleanlogs, watchdog) were built into its engine: they may have none.
    if (role.kind === "service" && role.command === undefined && format === "gaffer")
      fail([...path, "kind"], "a service runs a command, and this one has none", 'add command = "…"');
    if (role.kind !== "service" && role.command !== undefined)
      fail(
        [...path, "command"],
        `only a service runs a command; this role is a ${role.kind}`,
        'set kind = "service", or remove command',
      );
    if (role.agent !== undefined && !agents.includes(role.agent)) {
      const { key, fallback } = AGENT_KEYS[format];
      const set = valueAt(source.input, [...path, key]) !== undefined;
      fail(set ? [...path, key] : [...fallback], `unknown agent "${role.agent}"`, known(role.agent, agents));
    }
  });
  const phases = new Map<string, number>();
  factory.phases.forEach((phase, index) => {
    if (phases.has(phase.id))
      fail(
        ["phases", index, "id"],
        `duplicate phase "${phase.id}"`,
        `phases[${phases.get(phase.id)}] has it`,
      );
    phases.set(phase.id, index);
    if (typeof phase.models !== "object") return;
    for (const role of Object.keys(phase.models)) {
      if (!names.has(role))
        fail(["phases", index, "models"], `no role named "${role}"`, known(role, [...names.keys()]));
    }
  });
}

function known(name: string, candidates: string[]): string {
  const suggestion = didYouMean(name, candidates);
  const list = `known: ${candidates.join(", ") || "none"}`;
  return suggestion ? `did you mean "${suggestion}"? (${list})` : list;
}
