import { z } from "zod";
import { formatDuration, MAX_TIMER_MS, parseDuration, parseSize } from "./duration.ts";
import {
  agentsBelowWorkers,
  factorySettingsSchema,
  gafferRoleSchema,
  phaseSchema,
  roleName,
} from "./factory-schema.ts";
import { pathGlobList } from "./globs.ts";
import { reactionsSchema } from "./reactions-schema.ts";
import { trackerSchema } from "./tracker-schema.ts";

/**
 * The gaffer.toml schema: every key with its description and default. Durations are "30s", "10m",
 * "2h" or a number of seconds. The commented template written by `gaffer init` mirrors it.
 */
const duration = (fallback: string) =>
  z
    .union([z.number().positive(), z.string()])
    .default(fallback)
    .transform((value, ctx) => {
      const ms = typeof value === "number" ? Math.round(value * 1000) : parseDuration(value);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({
          code: "custom",
          message: `"${value}" is not a duration; write e.g. "90s", "10m" or "2h"`,
        });
        return z.NEVER;
      }
      if (ms > MAX_TIMER_MS) {
        ctx.addIssue({
          code: "custom",
          message: `"${value}" is longer than gaffer's timers can wait (${formatDuration(MAX_TIMER_MS)}); write e.g. "500h" at most`,
        });
        return z.NEVER;
      }
      return ms;
    });

const size = (fallback: string) =>
  z
    .union([z.number().int().positive(), z.string()])
    .default(fallback)
    .transform((value, ctx) => {
      const bytes = typeof value === "number" ? value : parseSize(value);
      if (bytes === undefined || bytes <= 0) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a size; write e.g. "500MB" or "2GB"` });
        return z.NEVER;
      }
      return bytes;
    });

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '-', '_' or '.'");

const step = z.strictObject({
  name: name.describe("shown in progress, evidence and reports"),
  run: z.string().min(1).describe("a shell command, run by gaffer in the workspace"),
  timeout: duration("10m").describe("killed (with everything it started) after this long"),
});

const scriptedAgent = z.strictObject({
  driver: z.literal("scripted"),
  scenario: z.string().optional().describe("scenario file; without it, a ```scenario block in the item body"),
  in_process: z.boolean().default(false).describe("run inside gaffer instead of as an ACP subprocess"),
});

/** What a real agent needs from its sandbox: its API keys, its model API's hosts, its model. */
const agentNeeds = {
  model: z.string().min(1).optional().describe("the model, put where the command says {model}"),
  pass_env: z.array(z.string().min(1)).default([]).describe("variables (API keys) passed into the sandbox"),
  hosts: z.array(z.string().min(1)).default([]).describe("hosts the agent may reach (its model API)"),
  native_rules: z
    .enum(["claude", "codex", "gemini", "opencode"])
    .optional()
    .describe(
      "the agent whose own permission rules gaffer writes; default the built-in preset of the same name, or a headless preset's format",
    ),
};

const acpAgent = z.strictObject({
  driver: z.literal("acp"),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe("the agent's ACP command"),
  env: z.record(z.string(), z.string()).default({}).describe("extra environment for the agent"),
  ...agentNeeds,
});

const commandAgent = z.strictObject({
  driver: z.literal("command"),
  command: z
    .string()
    .min(1)
    .describe("command template; {prompt_file} is replaced, else the prompt goes to stdin"),
  ...agentNeeds,
});

const headlessAgent = z.strictObject({
  driver: z.literal("headless"),
  format: z
    .enum(["claude", "codex", "gemini", "opencode"])
    .describe("the CLI whose JSON stream is read: claude -p, codex exec, gemini, opencode run"),
  command: z.string().min(1).optional().describe("the program; default the CLI's own name"),
  ...agentNeeds,
});

const agentPresetSchema = z.discriminatedUnion("driver", [
  scriptedAgent,
  acpAgent,
  commandAgent,
  headlessAgent,
]);

export const configSchema = z.strictObject({
  project: z
    .strictObject({
      default_branch: z.string().min(1).optional().describe("base branch for runs; detected when absent"),
      conventions: z
        .string()
        .optional()
        .describe("standing instructions file; default AGENTS.md and friends"),
      prompt_template: z.string().optional().describe("custom brief template with {{slots}}"),
    })
    .prefault({}),
  agent: z
    .strictObject({
      default: name.default("scripted").describe("agent used when `gaffer run` gets no --agent"),
      turn_timeout: duration("30m").describe("wall-clock limit for one agent turn"),
    })
    .prefault({}),
  agents: z.record(name, agentPresetSchema).default({}).describe("agent presets by name"),
  gate: z
    .strictObject({
      max_fix_attempts: z
        .number()
        .int()
        .min(0)
        .max(20)
        .default(2)
        .describe("red gates fed back before giving up"),
      feedback_bytes: z.number().int().min(256).default(4096).describe("cap on failure output fed back"),
      output_bytes: z
        .number()
        .int()
        .min(1024)
        .default(65536)
        .describe("gate output kept in the store per step"),
      parallel: z
        .boolean()
        .default(false)
        .describe("start every step at once; only for steps that do not touch what another reads or writes"),
      commands: z.array(step).default([]).describe("the gate, in order; the first failure stops it"),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      mode: z
        .enum(["required", "preferred", "off"])
        .optional()
        .describe(
          "required: refuse to run unconfined; preferred: warn and run with guards only; off. Default: required for real agents, preferred for the built-in scripted agent",
        ),
      hosts: z
        .array(z.string().min(1))
        .default([])
        .describe("hosts the sandbox may reach, through gaffer's proxy"),
      env: z
        .array(z.string().min(1))
        .default([])
        .describe("extra environment variables passed into the sandbox"),
      read: z.array(z.string().min(1)).default([]).describe("extra read-only paths that stay visible"),
      write: z.array(z.string().min(1)).default([]).describe("extra writable paths"),
      deny: z.array(z.string().min(1)).default([]).describe("extra paths hidden from the agent"),
    })
    .prefault({}),
  guard: z
    .strictObject({
      allow_paths: pathGlobList("globs the agent may change; empty: anything").default([]),
      deny_paths: pathGlobList("globs the agent may not change").optional(),
      tamper: z
        .enum(["block", "flag"])
        .default("block")
        .describe("what test-tampering findings do to a proposal"),
      secrets: z
        .enum(["block", "flag"])
        .default("block")
        .describe(
          "what a known secret or token found in a proposal's commits, messages or branch does to it",
        ),
    })
    .prefault({}),
  budget: z
    .strictObject({
      run: z.number().min(0).default(0).describe("USD one run may spend; 0: no limit"),
      item: z.number().min(0).default(0).describe("USD all runs of one item may spend"),
      day: z.number().min(0).default(0).describe("USD the project may spend per calendar day (UTC)"),
      project: z.number().min(0).default(0).describe("USD the project may spend in all"),
    })
    .prefault({}),
  prices: z
    .record(
      z.string().min(1),
      z.strictObject({
        input: z.number().min(0).describe("USD per million input tokens"),
        output: z.number().min(0).describe("USD per million output tokens"),
        cached_input: z.number().min(0).optional().describe("USD per million cached input tokens"),
        cache_write: z.number().min(0).optional().describe("USD per million input tokens written to a cache"),
      }),
    )
    .default({})
    .describe("prices by model (USD per million tokens), over the table gaffer ships"),
  models: z
    .strictObject({
      keys: z
        .enum(["proxy", "pass"])
        .default("proxy")
        .describe(
          "proxy: model keys stay with gaffer, whose proxy adds them (the sandbox holds placeholders); pass: the keys enter the sandbox",
        ),
      ca: z
        .array(z.string().min(1))
        .default([])
        .describe("PEM files of extra certificate authorities gaffer trusts on its way to model hosts"),
      logins: z
        .array(z.enum(["chatgpt", "google"]))
        .default([])
        .describe(
          "your own agent logins gaffer holds for the sandbox: chatgpt (Codex, ~/.codex/auth.json), google (Gemini CLI, ~/.gemini/oauth_creds.json); their tokens stay outside, added by the proxy and refreshed by gaffer",
        ),
      hosts: z
        .record(
          z.string().min(1),
          z.strictObject({
            api: z.enum(["anthropic", "openai", "gemini"]).describe("the wire format it speaks"),
            keys: z
              .array(z.string().min(1))
              .optional()
              .describe("the variables holding its credentials; default its API's"),
            upstream: z
              .string()
              .min(1)
              .optional()
              .describe("host:port gaffer connects to instead; its certificate must name that host"),
          }),
        )
        .default({})
        .describe("model hosts of your own (a gateway, a local server), by host or host:port"),
    })
    .prefault({}),
  limits: z
    .strictObject({
      run_timeout: duration("2h").describe("wall clock of a whole run"),
      output_bytes: size("16MB").describe("output an agent may produce in one run"),
      workspace_size: size("4GB").describe(
        "disk a run may take: its workspace and its sandbox's private /tmp, HOME, /dev/shm and agent state",
      ),
      processes: z.number().int().min(8).default(512).describe("processes the run may have at once"),
      turns: z
        .number()
        .int()
        .min(1)
        .default(20)
        .describe("agent turns one run may take: attempts, restarts, nudges and review rounds"),
    })
    .prefault({}),
  factory: factorySettingsSchema
    .extend({
      lease: duration("2m").describe("a claim lapses this long after its last heartbeat"),
      heartbeat: duration("15s").describe("how often a run renews its claim"),
      stall_activity: duration("10m").describe("no agent activity this long is a stall"),
      stall_progress: duration("30m").describe("no new commit and no new gate result this long is a stall"),
      restart_budget: z
        .number()
        .int()
        .min(0)
        .default(5)
        .describe("restarts of a role in a row before giving up"),
      restart_backoff: duration("2s").describe("first restart delay; doubles with each restart in a row"),
      infra_retries: z
        .number()
        .int()
        .min(0)
        .default(2)
        .describe("retries of a run that failed for the machine's sake, not the agent's; 0: none"),
    })
    .superRefine(agentsBelowWorkers)
    .prefault({}),
  roles: z.record(roleName, gafferRoleSchema).default({}).describe("the factory's roles by name"),
  phases: z.array(phaseSchema).default([]).describe("the ordered phases of the work"),
  workspace: z
    .strictObject({
      copy: z
        .array(z.string().min(1))
        .default([])
        .describe("untracked files copied from the project, e.g. a local config"),
      copy_secrets: z
        .boolean()
        .default(false)
        .describe(
          "allow copy to list files that look like secrets (.env*, *.pem, id_*…): the agent reads them",
        ),
      setup: z.array(step).default([]).describe("commands run after cloning, e.g. an install"),
      author_name: z.string().min(1).default("gaffer").describe("author of the commits gaffer makes"),
      author_email: z.string().min(3).default("gaffer@localhost"),
      warm: z
        .number()
        .int()
        .min(0)
        .max(16)
        .default(0)
        .describe("clones kept ready at the default branch's head, so a run starts without cloning; 0: none"),
    })
    .prefault({}),
  tracker: trackerSchema.optional().describe("the forge whose issues become items"),
  reactions: reactionsSchema.describe(
    "what gaffer does when CI, a review, a conflict or an approval happens on a published run's pull request",
  ),
  tracks: z
    .strictObject({
      conductor: z
        .string()
        .min(1)
        .default("conductor")
        .describe("Conductor's directory: tracks.md, tracks/<id>/, archive/<id>/"),
      branch_prefix: z.string().min(1).default("tier2/").describe("a track runs on <prefix><track>"),
      test: z
        .string()
        .min(1)
        .optional()
        .describe("the command a red phase must fail; default the gate's step named test, else its last"),
      complete: z
        .string()
        .min(1)
        .optional()
        .describe(
          "the completion gate; default the track's or the project's verify_complete.sh, else the whole gate",
        ),
      failcount: z
        .string()
        .min(1)
        .default("scripts/tier2/failcount.toml")
        .describe("the give-up thresholds, read as Tier 2 wrote them"),
      state_dir: z
        .string()
        .min(1)
        .default("tests/artifacts/tier2_state")
        .describe("where <track>/state.json lives"),
      failures_dir: z
        .string()
        .min(1)
        .default("tests/artifacts/tier2_failures")
        .describe("where failure reports and .STOPPED go"),
      reports_dir: z
        .string()
        .min(1)
        .default("docs/reports")
        .describe("where TRACK_COMPLETION_<track>.md is committed"),
      red_role: roleName
        .optional()
        .describe("a [roles.<name>] whose agent, prompt and continuation write tests"),
      green_role: roleName
        .optional()
        .describe("a [roles.<name>] whose agent, prompt and continuation implement"),
      notify: z
        .string()
        .min(1)
        .optional()
        .describe("a shell command `track run --notify` runs when a track stops or completes"),
    })
    .prefault({}),
  vault: z
    .strictObject({
      policy: z
        .string()
        .min(1)
        .default("policy.toml")
        .describe("the vault's policy file: tiers, path rules, size thresholds"),
      approvers: z
        .array(z.string().min(1))
        .default([])
        .describe("identities that may approve or reject actions"),
      review_timeout: duration("24h").describe("how long a medium action waits for review"),
      on_timeout: z
        .enum(["execute", "expire"])
        .default("execute")
        .describe("what a medium action nobody reviewed in time does"),
      secrets_file: z
        .string()
        .min(1)
        .default(".gaffer/secrets.env")
        .describe("KEY=value lines; a declared secret missing here comes from the environment"),
      notify: z
        .string()
        .min(1)
        .optional()
        .describe("a shell command told about every medium and high request"),
      formulas: z
        .record(
          name,
          z.strictObject({ run: z.string().min(1).describe("a shell command, run in the project") }),
        )
        .default({})
        .describe("what each formula action runs"),
    })
    .prefault({}),
});

export type RawConfig = z.output<typeof configSchema>;
