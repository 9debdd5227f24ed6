import { z } from "zod";
import { cronProblem } from "../util/index.ts";

/**
 * The factory's part of gaffer.toml: `[factory]` settings, `[roles.<name>]` and `[[phases]]`.
 * The same shapes are read from an agent-orchestrator agents.toml (agents-toml.ts).
 */
export const roleName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '-', '_' or '.'");

export const roleKind = z.enum(["loop", "task", "persistent", "service"]);
export const rolePolicy = z.enum(["heal", "stall", "heal+stall", "none"]);

/** Keys a role has in both formats. */
export const roleFields = {
  kind: roleKind.default("loop").describe("loop, task, persistent or service"),
  model: z.string().min(1).optional().describe("the role's model; a phase may override it"),
  policy: rolePolicy.optional().describe("heal, stall, heal+stall or none"),
  enabled: z.boolean().default(true).describe("false: `gaffer up` does not start it"),
  session: roleName.optional().describe("the session name after the prefix; default the role name"),
};

export const phaseModels = z
  .union([z.string().min(1), z.record(roleName, z.string().min(1))])
  .optional()
  .describe("one model for every loop role, or a table of role = model");

export const phaseSchema = z.strictObject({
  id: roleName.describe("the phase's id, shown by `gaffer status`"),
  plan: z.string().min(1).describe("the phase's plan file, put where the kickoff says {plan}"),
  models: phaseModels,
});

export const gafferRoleSchema = z.strictObject({
  ...roleFields,
  agent: roleName.optional().describe("agent preset; default [agent] default"),
  concurrency: z.number().int().min(1).max(256).default(1).describe("runs of this role at once"),
  schedule: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: `"${value}" is not a cron schedule: ${problem}` });
    })
    .optional()
    .describe('cron, e.g. "0 */6 * * *"; the role starts only then'),
  prompt: z.string().min(1).optional().describe("the role's prompt file; default <roles_dir>/<role>.md"),
  labels: z.array(z.string().min(1)).default([]).describe("items it takes: any of these labels"),
  command: z.string().min(1).optional().describe("a service's command"),
  reviews: z.boolean().optional().describe("reviews proposals; default true for reviewer and adversary"),
  continuation: z
    .enum(["continue", "fresh"])
    .default("fresh")
    .describe("after a red gate: a further turn in the same session, or a fresh session"),
});

export const factorySettingsSchema = z.strictObject({
  session_prefix: z.string().optional().describe("namespace of this project's sessions; default <dir>-"),
  roles_dir: z.string().min(1).default("prompts").describe("where <role>.md prompts live"),
  kickoff: z.string().min(1).optional().describe("kickoff template with {phase_id} {plan} {status} {role}"),
  model: z.string().min(1).optional().describe("model for roles and phases that name none"),
  max_concurrency: z.number().int().min(1).max(256).default(4).describe("runs at once, all roles"),
  runs_per_worker: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(10)
    .describe("runs one worker process hosts at once; 1: a process per run"),
  worker_nice: z
    .number()
    .int()
    .min(0)
    .max(19)
    .default(5)
    .describe(
      "how much lower the workers' CPU priority (and their git commands') is than gaffer's own; 0: the same",
    ),
  agent_nice: z
    .number()
    .int()
    .min(0)
    .max(19)
    .default(15)
    .describe(
      "how much lower the CPU priority of the agents and gates the workers start is; at least worker_nice",
    ),
  agent_concurrency: z
    .record(roleName, z.number().int().min(1))
    .default({})
    .describe("runs at once per agent preset"),
  max_pending_review: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("no new builds while this many proposals await review; 0: no limit"),
  max_review_rounds: z.number().int().min(0).max(10).default(2).describe("review round-trips per item"),
  tmux: z
    .boolean()
    .default(false)
    .describe("give each persistent role a tmux session showing its work: tmux attach -t <prefix><session>"),
});

/** The workers' agents never outrank the workers that supervise them. */
export function agentsBelowWorkers(
  settings: { worker_nice: number; agent_nice: number },
  ctx: z.RefinementCtx,
): void {
  if (settings.agent_nice < settings.worker_nice)
    ctx.addIssue({
      code: "custom",
      path: ["agent_nice"],
      message: `${settings.agent_nice} is below worker_nice (${settings.worker_nice}): agents would outrank the workers that supervise them; set agent_nice to ${settings.worker_nice} or more`,
    });
}
