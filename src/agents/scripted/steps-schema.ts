import { z } from "zod";

/** The stop reasons a scenario may end a turn with. */
const stopReason = z.enum(["end_turn", "max_tokens", "max_turn_requests", "refusal", "cancelled"]);
const planStatus = z.enum(["pending", "in_progress", "completed"]);
const planEntry = z.union([
  z.string(),
  z
    .object({
      content: z.string(),
      status: planStatus.optional(),
      priority: z.enum(["high", "medium", "low"]).optional(),
    })
    .strict(),
]);
const path = z.string().min(1);
/** ACP's tool kinds, which a permission request names. */
const toolKind = z.enum(["read", "edit", "delete", "move", "search", "execute", "think", "fetch", "other"]);
const count = z.int().min(0);

/**
 * One schema per step kind. A step is a table whose kind is the one key that names a kind;
 * the other keys are that kind's options. Each parses into a `{ kind, … }` record.
 */
export const STEP_SCHEMAS = {
  say: z
    .object({ say: z.string() })
    .strict()
    .transform((s) => ({ kind: "say" as const, text: s.say })),
  think: z
    .object({ think: z.string() })
    .strict()
    .transform((s) => ({ kind: "think" as const, text: s.think })),
  plan: z
    .object({ plan: z.array(planEntry) })
    .strict()
    .transform((s) => ({
      kind: "plan" as const,
      entries: s.plan.map((e) => (typeof e === "string" ? { content: e } : e)),
    })),
  write: z
    .object({ write: path, content: z.string() })
    .strict()
    .transform((s) => ({ kind: "write" as const, path: s.write, content: s.content })),
  edit: z
    .object({ edit: path, old: z.string().min(1), new: z.string() })
    .strict()
    .transform((s) => ({ kind: "edit" as const, path: s.edit, old: s.old, new: s.new })),
  read: z
    .object({ read: path })
    .strict()
    .transform((s) => ({ kind: "read" as const, path: s.read })),
  run: z
    .object({ run: z.string().min(1), expect_exit: z.int().optional() })
    .strict()
    .transform((s) => ({ kind: "run" as const, command: s.run, expectExit: s.expect_exit })),
  ask: z
    .object({
      ask: z.string().min(1),
      on_reject: z.enum(["continue", "stop"]).default("continue"),
      tool_kind: toolKind.default("execute"),
      locations: z.array(path).default([]),
    })
    .strict()
    .transform((s) => ({
      kind: "ask" as const,
      command: s.ask,
      onReject: s.on_reject,
      toolKind: s.tool_kind,
      locations: s.locations,
    })),
  commit: z
    .object({ commit: z.string().min(1) })
    .strict()
    .transform((s) => ({ kind: "commit" as const, message: s.commit })),
  usage: z
    .object({
      usage: count,
      size: count.default(200_000),
      cost: z.number().min(0).optional(),
      currency: z.string().default("USD"),
      input_tokens: count.optional(),
      output_tokens: count.optional(),
      cached_tokens: count.optional(),
    })
    .strict()
    .transform((s) => ({
      kind: "usage" as const,
      used: s.usage,
      size: s.size,
      cost: s.cost,
      currency: s.currency,
      ...((s.input_tokens ?? s.output_tokens ?? s.cached_tokens) !== undefined && {
        tokens: { inputTokens: s.input_tokens, outputTokens: s.output_tokens, cachedTokens: s.cached_tokens },
      }),
    })),
  sleep: z
    .object({ sleep: count })
    .strict()
    .transform((s) => ({ kind: "sleep" as const, ms: s.sleep })),
  stall: z
    .object({ stall: z.literal(true) })
    .strict()
    .transform(() => ({ kind: "stall" as const })),
  crash: z
    .object({ crash: z.int().min(1).max(255), message: z.string().default("scripted agent crashed") })
    .strict()
    .transform((s) => ({ kind: "crash" as const, code: s.crash, message: s.message })),
  direct_write: z
    .object({ direct_write: path, content: z.string() })
    .strict()
    .transform((s) => ({ kind: "direct_write" as const, path: s.direct_write, content: s.content })),
  shell: z
    .object({ shell: z.string().min(1) })
    .strict()
    .transform((s) => ({ kind: "shell" as const, command: s.shell })),
  stop: z
    .object({ stop: stopReason })
    .strict()
    .transform((s) => ({ kind: "stop" as const, reason: s.stop })),
};

export type StepKind = keyof typeof STEP_SCHEMAS;
export type Step = z.output<(typeof STEP_SCHEMAS)[StepKind]>;
export const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];
