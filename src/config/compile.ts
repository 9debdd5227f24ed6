import { isAbsolute, resolve } from "node:path";
import { compileFactory, type FactoryConfig } from "./factory.ts";
import { compileReactions, type ReactionsConfig } from "./reactions.ts";
import { compileTracker, DISINTO_LABELS, type TrackerConfig, trackerProblem } from "./tracker.ts";
import { compileVault, type VaultConfig } from "./vault.ts";
import { API_KEYS, BUILTIN_MODEL_HOSTS, type ModelHost } from "./model-hosts.ts";
import { BUILTIN_PRESETS } from "./presets.ts";
import { type ModelPrice, SHIPPED_PRICES } from "./prices.ts";
import type { RawConfig } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { isSecretFileName } from "./secret-files.ts";
import { problemAt } from "./problem.ts";
import { GafferError } from "../errors.ts";
import type { AgentNeeds, AgentPreset, HeadlessFormat } from "../agents/index.ts";
import type { GateCommand } from "../gate/index.ts";
import type { SandboxSetting } from "../sandbox/index.ts";

export const CONFIG_FILE = "gaffer.toml";

/** The configuration every module sees: defaults filled in, durations in ms, paths absolute. */
export interface GafferConfig {
  /** The gaffer.toml that was read, or undefined when the defaults apply. */
  file: string | undefined;
  project: { defaultBranch?: string; conventions?: string; promptTemplate?: string };
  agent: { default: string; turnTimeoutMs: number };
  agents: ReadonlyMap<string, AgentPreset>;
  /** `parallel`: the steps start together (see runGate); their names are then distinct. */
  gate: {
    maxFixAttempts: number;
    feedbackBytes: number;
    outputBytes: number;
    parallel: boolean;
    commands: GateCommand[];
  };
  /** `copy` lists a file that looks like a secret only when gaffer.toml said `copy_secrets = true`. */
  workspace: {
    copy: string[];
    setup: GateCommand[];
    identity: { name: string; email: string };
    /** Clones kept ready at the default branch's head (`[workspace] warm`); 0: none. */
    warm: number;
  };
  sandbox: {
    mode: SandboxSetting;
    hosts: string[];
    env: string[];
    read: string[];
    write: string[];
    deny: string[];
  };
  /** `denyPaths` undefined: gaffer's defaults. */
  guard: {
    allowPaths: string[];
    denyPaths: string[] | undefined;
    tamper: "block" | "flag";
    /** What a secret found in a proposal does to it. */
    secrets: "block" | "flag";
  };
  limits: {
    runTimeoutMs: number;
    outputBytes: number;
    workspaceBytes: number;
    processes: number;
    turns: number;
  };
  /** USD; 0 means no limit. */
  budget: { run: number; item: number; day: number; project: number };
  /** USD per million tokens, by model: the shipped table under `[prices]`. */
  prices: Record<string, ModelPrice>;
  /**
   * Model traffic: whether keys stay with gaffer's proxy or enter the sandbox, the extra CA files
   * (absolute) trusted for upstreams, and every model host (built-in and `[models.hosts]`).
   */
  models: { keys: "proxy" | "pass"; ca: string[]; logins: ("chatgpt" | "google")[]; hosts: ModelHost[] };
  /** Roles, phases and the daemon's settings. */
  factory: FactoryConfig;
  /** Approvals, the policy file, secrets and formula commands. */
  vault: VaultConfig;
  /** The forge whose issues become items; undefined: the built-in tracker only. */
  tracker: TrackerConfig | undefined;
  /** What gaffer does about what happens on a published run's pull request. */
  reactions: ReactionsConfig;
  /** Conductor tracks (`gaffer track`): where their files, state and reports live, and who works them. */
  tracks: TracksConfig;
}

/** `[tracks]`, paths as written (relative to the project root unless absolute). */
export interface TracksConfig {
  conductor: string;
  branchPrefix: string;
  test: string | undefined;
  complete: string | undefined;
  failcount: string;
  stateDir: string;
  failuresDir: string;
  reportsDir: string;
  redRole: string | undefined;
  greenRole: string | undefined;
  notify: string | undefined;
}

/**
 * gaffer.toml's data, as its schema gave it, checked for what the schema cannot say and turned into
 * the configuration every module sees. `text` is the file's, to name the line of a problem.
 */
export function compileConfig(
  raw: RawConfig,
  text: string,
  file: string | undefined,
  root: string,
  env: NodeJS.ProcessEnv,
): GafferConfig {
  if (file !== undefined) {
    assertSecretCopiesAllowed(raw.workspace, file, text);
    assertParallelStepsDistinct(raw.gate, file, text);
  }
  const config = compile(raw, root, file, env);
  const problem = raw.tracker && trackerProblem(raw.tracker, raw.sandbox.env, config.agents);
  if (problem) throw problemAt(file ?? CONFIG_FILE, text, problem.path, problem.message, problem.hint);
  return config;
}

/** A file that looks like a secret is copied into workspaces only when gaffer.toml says so. */
function assertSecretCopiesAllowed(workspace: RawConfig["workspace"], file: string, text: string): void {
  if (workspace.copy_secrets) return;
  const index = workspace.copy.findIndex(isSecretFileName);
  if (index === -1) return;
  throw problemAt(
    file,
    text,
    ["workspace", "copy"],
    `[workspace] copy lists ${workspace.copy[index]}, which looks like a secret: the agent could read it and commit it`,
    "give the workspace fake values instead, or add copy_secrets = true to [workspace] if the agent must have it",
  );
}

/** Steps that run together each need their own log: two of one name would write the same file. */
function assertParallelStepsDistinct(gate: RawConfig["gate"], file: string, text: string): void {
  if (!gate.parallel) return;
  const names = gate.commands.map((step) => step.name);
  const index = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (index === -1) return;
  throw problemAt(
    file,
    text,
    ["gate", "commands", index, "name"],
    `[gate] parallel = true and two gate steps are named "${names[index]}": steps that run together need their own names`,
    "give each [[gate.commands]] step its own name",
  );
}

function compile(
  raw: RawConfig,
  root: string,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): GafferConfig {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  const agents = new Map<string, AgentPreset>(builtInAgents(env));
  for (const [name, preset] of Object.entries(raw.agents)) {
    if (preset.driver === "scripted") {
      agents.set(name, {
        name,
        driver: "scripted",
        inProcess: preset.in_process,
        ...(preset.scenario !== undefined && { scenario: at(preset.scenario) }),
      });
    } else if (preset.driver === "acp") {
      const command =
        typeof preset.command === "string" ? preset.command.split(/\s+/).filter(Boolean) : preset.command;
      agents.set(name, {
        name,
        driver: "acp",
        command,
        env: preset.env,
        ...needs(preset, agents.get(name)),
        ...modelPassing(agents.get(name), command),
      });
    } else if (preset.driver === "headless") {
      const program = preset.command ?? preset.format;
      agents.set(name, {
        name,
        driver: "headless",
        format: preset.format,
        program,
        ...needs({ ...preset, native_rules: preset.native_rules ?? preset.format }),
      });
    } else {
      agents.set(name, {
        name,
        driver: "command",
        template: preset.command,
        ...needs(preset, agents.get(name)),
      });
    }
  }
  const steps = (list: RawConfig["gate"]["commands"]): GateCommand[] =>
    list.map((s) => ({ name: s.name, run: s.run, timeoutMs: s.timeout }));
  return {
    file,
    project: {
      ...(raw.project.default_branch !== undefined && { defaultBranch: raw.project.default_branch }),
      ...(raw.project.conventions !== undefined && { conventions: raw.project.conventions }),
      ...(raw.project.prompt_template !== undefined && { promptTemplate: at(raw.project.prompt_template) }),
    },
    agent: { default: raw.agent.default, turnTimeoutMs: raw.agent.turn_timeout },
    agents,
    gate: {
      maxFixAttempts: raw.gate.max_fix_attempts,
      feedbackBytes: raw.gate.feedback_bytes,
      outputBytes: raw.gate.output_bytes,
      parallel: raw.gate.parallel,
      commands: steps(raw.gate.commands),
    },
    sandbox: {
      mode: raw.sandbox.mode ?? "default",
      hosts: raw.sandbox.hosts,
      env: raw.sandbox.env,
      read: raw.sandbox.read.map(at),
      write: raw.sandbox.write.map(at),
      deny: raw.sandbox.deny.map(at),
    },
    guard: {
      allowPaths: raw.guard.allow_paths,
      denyPaths: raw.guard.deny_paths,
      tamper: raw.guard.tamper,
      secrets: raw.guard.secrets,
    },
    budget: raw.budget,
    prices: { ...SHIPPED_PRICES, ...prices(raw.prices) },
    models: {
      keys: raw.models.keys,
      ca: raw.models.ca.map(at),
      logins: [...new Set(raw.models.logins)],
      hosts: modelHosts(raw.models.hosts),
    },
    limits: {
      runTimeoutMs: raw.limits.run_timeout,
      outputBytes: raw.limits.output_bytes,
      workspaceBytes: raw.limits.workspace_size,
      processes: raw.limits.processes,
      turns: raw.limits.turns,
    },
    factory: compileFactory(raw, root, file),
    vault: compileVault(raw.vault),
    tracker: raw.tracker && compileTracker(raw.tracker, root),
    reactions: compileReactions(raw.reactions, raw.tracker?.labels.blocked ?? DISINTO_LABELS.blocked),
    tracks: {
      conductor: raw.tracks.conductor,
      branchPrefix: raw.tracks.branch_prefix,
      test: raw.tracks.test,
      complete: raw.tracks.complete,
      failcount: raw.tracks.failcount,
      stateDir: raw.tracks.state_dir,
      failuresDir: raw.tracks.failures_dir,
      reportsDir: raw.tracks.reports_dir,
      redRole: raw.tracks.red_role,
      greenRole: raw.tracks.green_role,
      notify: raw.tracks.notify,
    },
    workspace: {
      copy: raw.workspace.copy,
      setup: steps(raw.workspace.setup),
      identity: { name: raw.workspace.author_name, email: raw.workspace.author_email },
      warm: raw.workspace.warm,
    },
  };
}

function prices(raw: RawConfig["prices"]): Record<string, ModelPrice> {
  return Object.fromEntries(
    Object.entries(raw).map(([model, p]) => [
      model,
      {
        input: p.input,
        output: p.output,
        ...(p.cached_input !== undefined && { cachedInput: p.cached_input }),
        ...(p.cache_write !== undefined && { cacheWrite: p.cache_write }),
      },
    ]),
  );
}

/** The built-in model hosts with `[models.hosts]` over them; a host's keys default to its API's. */
function modelHosts(raw: RawConfig["models"]["hosts"]): ModelHost[] {
  const own = Object.entries(raw).map(([host, entry]): ModelHost => {
    const known = API_KEYS[entry.api];
    const keys = (entry.keys ?? known.map((key) => key.variable)).map(
      (variable) =>
        known.find((key) => key.variable === variable) ?? { variable, header: defaultHeader(entry.api) },
    );
    return { host, api: entry.api, keys, ...(entry.upstream !== undefined && { upstream: entry.upstream }) };
  });
  const named = new Set(own.map((entry) => entry.host));
  return [...BUILTIN_MODEL_HOSTS.filter((entry) => !named.has(entry.host)), ...own];
}

function defaultHeader(api: ModelHost["api"]) {
  return API_KEYS[api][0]?.header ?? "authorization";
}

/**
 * A preset's needs. Its native rules are the ones it names, else those of the built-in it
 * replaces: a `claude` preset that starts Claude Code through `sh -c` or `env` keeps Claude's.
 */
function needs(preset: RawNeeds, builtIn?: AgentPreset): AgentNeeds {
  const nativeRules =
    preset.native_rules ?? (builtIn?.driver === "scripted" ? undefined : builtIn?.nativeRules);
  return {
    passEnv: preset.pass_env,
    hosts: preset.hosts,
    ...(preset.model !== undefined && { model: preset.model }),
    ...(nativeRules !== undefined && { nativeRules }),
  };
}

interface RawNeeds {
  model?: string | undefined;
  pass_env: string[];
  hosts: string[];
  native_rules?: HeadlessFormat | undefined;
}

/**
 * A preset that redefines a built-in agent by its name and still runs its program keeps the
 * built-in's way of passing the model (an argument or a variable).
 */
function modelPassing(
  builtIn: AgentPreset | undefined,
  command: string[],
): Pick<AgentPreset & { driver: "acp" }, "modelArgs" | "modelEnv"> {
  if (builtIn?.driver !== "acp" || builtIn.command[0] !== command[0]) return {};
  return {
    ...(builtIn.modelArgs && { modelArgs: builtIn.modelArgs }),
    ...(builtIn.modelEnv && { modelEnv: builtIn.modelEnv }),
  };
}

/** Presets that exist without any configuration. */
function builtInAgents(env: NodeJS.ProcessEnv): [string, AgentPreset][] {
  const agents: [string, AgentPreset][] = [
    ["scripted", { name: "scripted", driver: "scripted", inProcess: false }],
    ...BUILTIN_PRESETS.map((preset): [string, AgentPreset] => [preset.name, preset]),
  ];
  if (env.AGENT_CMD)
    agents.push([
      "command",
      { name: "command", driver: "command", template: env.AGENT_CMD, passEnv: [], hosts: [] },
    ]);
  return agents;
}

/** Looks up an agent preset, with a did-you-mean style hint listing the known ones. */
export function agentPreset(config: GafferConfig, name: string): AgentPreset {
  const preset = config.agents.get(name);
  if (preset) return preset;
  const known = [...config.agents.keys()];
  const suggestion = didYouMean(name, known);
  const hint =
    name === "command"
      ? 'set AGENT_CMD, or add [agents.command] driver = "command" to gaffer.toml'
      : suggestion
        ? `did you mean "${suggestion}"? (known agents: ${known.join(", ")})`
        : `known agents: ${known.join(", ")}; add [agents.${name}] to gaffer.toml to define it`;
  throw new GafferError("agent-unknown", `unknown agent "${name}"`, hint);
}
