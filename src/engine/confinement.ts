import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentPreset, findProgram, parseTemplate } from "../agents/index.ts";
import { agentPreset, type GafferConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import {
  captureBaseline,
  installGitGuard,
  installGuardHooks,
  learnGit,
  prepareGuardLog,
  saveBaseline,
  writeAgentRules,
} from "../guard/index.ts";
import {
  createSandbox,
  detectSandbox,
  type ModelExchange,
  type Sandbox,
  type SandboxMode,
  type SandboxPolicy,
  type SandboxSetting,
} from "../sandbox/index.ts";
import { EVENTS, type Run } from "../store/index.ts";
import type { Workspace } from "../workspace/index.ts";
import type { Project } from "./project.ts";
import { toolchainsInHome } from "./toolchains.ts";
import { recordProjectRefs } from "./project-refs.ts";
import type { RunRecorder } from "./recorder.ts";
import type { RunProcesses } from "./limits.ts";
import { modelKeys } from "./model-traffic.ts";
import { type Login, loginsOf, runLogins } from "./logins/index.ts";
import { type SandboxDirs, sandboxDirs } from "./sandbox-state.ts";
import { cacheDir, type CommandWrapper, standbyDirs } from "../util/index.ts";

/** Variables that always pass into the sandbox; everything else of gaffer's environment stays out. */
const DEFAULT_ENV_ALLOW = [
  "PATH",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TERM",
  "COLORTERM",
  "NO_COLOR",
  "FORCE_COLOR",
  "TZ",
  "USER",
  "LOGNAME",
];

/** How a run is confined: its sandbox, the git guard's log, and where its integrity baseline is. */
export interface RunConfinement {
  /** "bwrap", or "none: <why>" — recorded on the run and its proposal. */
  description: string;
  wrap: CommandWrapper;
  guardLog: string;
  baselinePath: string;
  /** Whether gaffer's proxy reads the agent's model traffic (and adds its keys). */
  metered: boolean;
  /**
   * A sandbox for one gate in `dir`, a fresh checkout: the run's policy with `dir` as its only
   * workspace, a fresh and empty HOME and /tmp, nothing of the agent's state, and `readable`
   * (the objects the checkout's `.git` borrows) visible read-only. Close it after the gate.
   */
  gateSandbox(dir: string, readable: readonly string[]): GateSandbox;
  close(): Promise<void>;
}

/** A gate's sandbox and what it lets the gate see, to be written on the proposal. */
export interface GateSandbox {
  sandbox: Sandbox;
  /** Names of gaffer's variables that pass into the gate (their values are not recorded). */
  passed: string[];
  /** Variables set for the gate, with their values. */
  set: Record<string, string>;
}

/**
 * Decides whether this run of `agent` can be sandboxed, before anything is created. A `required`
 * sandbox that cannot be made here refuses the run; `preferred` goes on unconfined with a loud
 * warning. A project that does not choose requires it, except for the built-in scripted agent.
 */
export function sandboxDecision(
  config: GafferConfig,
  agent: AgentPreset,
): { kind: "bwrap" | "none"; description: string } {
  const mode = sandboxMode(config.sandbox.mode, agent);
  if (mode === "off") return { kind: "none", description: 'none: [sandbox] mode = "off"' };
  const availability = detectSandbox();
  if (availability.available) return { kind: "bwrap", description: "bwrap" };
  const reason = availability.reason ?? "no sandbox is available on this machine";
  if (mode === "required") {
    if (config.sandbox.mode === "default") {
      throw new GafferError(
        "sandbox-unavailable",
        `no sandbox for agent "${agent.name}": ${reason}`,
        'install bubblewrap, or accept an unconfined agent with [sandbox] mode = "preferred" (or "off") in gaffer.toml',
      );
    }
    throw new GafferError(
      "sandbox-unavailable",
      `no sandbox: ${reason}`,
      'install bubblewrap, or set [sandbox] mode = "preferred" to run with gaffer\'s guards only',
    );
  }
  return { kind: "none", description: `none: ${reason}` };
}

/** The mode that applies to `agent`: the project's own, or its default for that agent. */
export function sandboxMode(setting: SandboxSetting, agent: Pick<AgentPreset, "driver">): SandboxMode {
  if (setting !== "default") return setting;
  return agent.driver === "scripted" ? "preferred" : "required";
}

/**
 * Learns now what confining a run asks of this machine once per process (git's facts for the
 * guard, whether bubblewrap works), for a process that will start runs later: a standby.
 */
export async function readyForRuns(): Promise<void> {
  const realGit = await findProgram("git", { cwd: process.cwd(), env: process.env });
  if (realGit) await learnGit(realGit).catch(() => undefined);
  detectSandbox();
}

/**
 * What a run's confinement needs before its workspace exists: the sandbox decision, the git guard
 * in the sandbox's state, the project's refs as the run starts, the tool directories it reveals.
 * Started with the workspace's making, so the two are done at once.
 */
export interface StagedConfinement {
  stateDir: string;
  decision: ReturnType<typeof sandboxDecision>;
  dirs: SandboxDirs;
  guardLog: string;
  toolDirs: string[];
  toolchainEnv: Record<string, string>;
}

export async function stageConfinement(
  project: Project,
  run: Run,
  stateDir = project.paths.runDir(run.id),
): Promise<StagedConfinement> {
  const decision = sandboxDecision(project.config, agentPreset(project.config, run.agent));
  const dirs = sandboxDirs(stateDir);
  const guardLog = join(dirs.guard, "denials.jsonl");
  const realGit = (await findProgram("git", { cwd: project.root, env: process.env })) ?? "/usr/bin/git";
  const toolchains = toolchainsInHome(process.env);
  // Independent of one another (each its own git or files), so they run at once.
  const [toolDirs] = await Promise.all([
    toolDirectories(project, run, toolchains.dirs),
    installGitGuard({ binDir: dirs.bin, realGit, runBranch: run.branch, logFile: guardLog }),
    recordProjectRefs(project.root, join(stateDir, PROJECT_REFS_FILE)),
  ]);
  return { stateDir, decision, dirs, guardLog, toolDirs, toolchainEnv: toolchains.env };
}

/**
 * Builds the run's confinement in its prepared workspace: the git guard first on the agent's PATH,
 * guard hooks in the clone, the integrity baseline (taken once, before the agent ever runs), and
 * the sandbox policy: the project read-only, gaffer's state and secrets hidden, no network.
 */
export async function confineRun(
  project: Project,
  run: Run,
  workspace: Workspace,
  recorder: RunRecorder,
  options: {
    /** What stageConfinement made ready; staged here when absent. */
    staged?: Promise<StagedConfinement>;
    /** Where the sandbox's home, tmp, guard and baseline live; the run's directory by default. */
    stateDir?: string;
    /** Told of every model request the proxy carries. */
    onModelExchange?: (exchange: ModelExchange) => void;
    /** Where the processes its sandboxes start are counted, against `[limits] processes`. */
    processes: RunProcesses;
    /**
     * Run in the sandbox while the baseline is taken: only what changes nothing in the workspace
     * (a look-up of programs), since the baseline must be what the workspace was before anything ran.
     */
    alongsideBaseline?: (wrap: CommandWrapper) => Promise<unknown>;
  },
): Promise<RunConfinement> {
  const { stateDir, decision, dirs, guardLog, toolDirs, toolchainEnv } = await (options.staged ??
    stageConfinement(project, run, options.stateDir));
  if (decision.kind === "none") {
    await recorder.event(EVENTS.sandboxUnavailable, { description: decision.description });
  }
  installGuardHooks({ gitDir: join(workspace.dir, ".git"), runBranch: run.branch, logFile: guardLog });
  const replaced = prepareGuardLog(guardLog);
  if (replaced) await recorder.event(EVENTS.guardLogReplaced, { path: guardLog, found: replaced });
  const baselinePath = join(stateDir, "baseline.json");
  // After the hooks, which it records; confineRun returns only once it is saved.
  const baselineSaved = existsSync(baselinePath)
    ? Promise.resolve()
    : captureBaseline(workspace).then((taken) => saveBaseline(baselinePath, taken));
  baselineSaved.catch(() => undefined);
  const policy = policyFor(project, run, dirs, guardLog, toolDirs, toolchainEnv);
  const preset = agentPreset(project.config, run.agent);
  const confined = decision.kind === "bwrap";
  const held = confined && project.config.models.keys === "proxy";
  const logins: Login[] = held ? runLogins(project.config, preset) : [];
  const unused = held ? [] : loginsOf(project.config, preset);
  // Only a sandbox whose keys the proxy holds can hold a login: say so rather than drop it quietly.
  if (unused.length > 0)
    await recorder.event(EVENTS.sandboxLoginsUnused, {
      logins: unused,
      confined,
      keys: project.config.models.keys,
    });
  const keys = modelKeys(
    project.config,
    preset,
    policy.network.mode === "allow" ? policy.network.hosts : [],
    confined,
    process.env,
    logins,
  );
  if (keys.injected.length > 0 || keys.passed.length > 0)
    await recorder.event(EVENTS.sandboxModelKeys, {
      hosts: keys.injected,
      passed: keys.passed,
      confined: decision.kind === "bwrap",
      keys: project.config.models.keys,
    });
  const kept = new Set(keys.injected.flatMap((host) => host.variables));
  // The gate runs the agent's code: it gets no key the agent itself holds only as a placeholder.
  const gatePolicy = {
    ...policy,
    env: { ...policy.env },
    envAllow: policy.envAllow.filter((name) => !kept.has(name)),
    // The gate's own: no agent state dir; the guard log as the agent's sandbox has it.
    writable: [guardLog, ...project.config.sandbox.write],
  };
  const agentPolicy: SandboxPolicy =
    policy.network.mode === "allow" && keys.traffic
      ? { ...policy, network: { ...policy.network, models: keys.traffic } }
      : policy;
  const heldLogins = logins.filter((login) => keys.injected.some((host) => host.host === login.host));
  Object.assign(
    policy.env,
    await nativeAgentRules(project, run, dirs.agent, recorder, heldLogins.length > 0),
  );
  // A login the proxy holds: the agent gets its placeholder copy (the gate, copied above, gets none).
  for (const login of heldLogins) Object.assign(policy.env, login.sandboxCopy(dirs.agent));
  // A host the allowlist refused is recorded where the user will look, with the key that allows it.
  const sandbox = countedIn(
    options.processes,
    createSandbox(agentPolicy, decision.kind, {
      onNetworkDenied: (denial) => recorder.enqueue(EVENTS.sandboxNetworkDenied, { ...denial }),
      onModelExchange: (exchange) => options.onModelExchange?.(exchange),
    }),
  );
  try {
    await Promise.all([baselineSaved, options.alongsideBaseline?.(sandbox.wrap)]);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return {
    description: decision.description,
    wrap: sandbox.wrap,
    guardLog,
    baselinePath,
    metered: keys.traffic !== undefined,
    gateSandbox: (dir, readable) => gateSandbox(gatePolicy, decision.kind, dir, readable, options.processes),
    close: () => sandbox.close(),
  };
}

/** `sandbox`, with every process started in it counted among `processes`. */
function countedIn(processes: RunProcesses, sandbox: Sandbox): Sandbox {
  return {
    kind: sandbox.kind,
    wrap: (argv, wrapOptions) => ({
      ...sandbox.wrap(argv, wrapOptions),
      spawned: (pid) => processes.add(pid),
    }),
    close: () => sandbox.close(),
  };
}

function gateSandbox(
  base: SandboxPolicy,
  kind: "bwrap" | "none",
  dir: string,
  readable: readonly string[],
  processes: RunProcesses,
): GateSandbox {
  const root = `${dir}.env`;
  rmSync(root, { recursive: true, force: true });
  const home = join(root, "home");
  const tmp = join(root, "tmp");
  const shm = join(root, "shm");
  for (const path of [home, tmp, shm]) mkdirSync(path, { recursive: true });
  const policy: SandboxPolicy = {
    ...base,
    workspace: dir,
    home,
    tmp,
    shm,
    readOnly: [...base.readOnly, ...readable],
    env: { ...base.env, GAFFER_WORKSPACE: dir },
  };
  return {
    sandbox: countedIn(processes, createSandbox(policy, kind)),
    passed: policy.envAllow.filter((name) => process.env[name] !== undefined),
    set: { ...policy.env, HOME: home, TMPDIR: kind === "bwrap" ? "/tmp" : tmp },
  };
}

function policyFor(
  project: Project,
  run: Run,
  dirs: SandboxDirs,
  guardLog: string,
  toolDirs: string[],
  toolchainEnv: Record<string, string>,
): SandboxPolicy {
  const { sandbox } = project.config;
  const preset = agentPreset(project.config, run.agent);
  const hosts = [...sandbox.hosts, ...(preset.driver === "scripted" ? [] : preset.hosts)];
  return {
    workspace: run.workspace,
    home: dirs.home,
    tmp: dirs.tmp,
    shm: dirs.shm,
    // Only the guard log itself, not its directory: the agent can append to it, not swap it.
    writable: [guardLog, dirs.agent, ...sandbox.write],
    readOnly: [dirs.bin, ...toolDirs, ...sandbox.read],
    // gaffer's cache (what it remembers) and where a standby listens: whoever reaches its socket
    // runs gaffer outside any sandbox.
    deny: [
      ...projectSecrets(project.root),
      project.paths.stateDir,
      cacheDir(process.env),
      ...standbyDirs(process.env),
      ...sandbox.deny,
    ],
    network: hosts.length ? { mode: "allow", hosts } : { mode: "none" },
    envAllow: [...DEFAULT_ENV_ALLOW, ...sandbox.env, ...(preset.driver === "scripted" ? [] : preset.passEnv)],
    env: {
      PATH: `${dirs.bin}:${process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
      GAFFER_RUN_ID: String(run.id),
      GAFFER_ITEM_ID: String(run.itemId),
      GAFFER_WORKSPACE: run.workspace,
      GAFFER_RUN_BRANCH: run.branch,
      GAFFER_GUARD_LOG: guardLog,
      ...toolchainEnv,
    },
  };
}

/**
 * Programs the run needs that may live in hidden places (a home directory, a temp dir): the agent's
 * own program, the Node that runs gaffer and its scripted agent, and the toolchains PATH reaches
 * inside HOME (pyenv, nvm, rustup, ~/.local/bin…). They stay visible, read-only.
 */
async function toolDirectories(project: Project, run: Run, toolchains: readonly string[]): Promise<string[]> {
  const dirs = [dirname(dirname(process.execPath)), gafferRoot()];
  const program = presetProgram(project, run);
  const found = program && (await findProgram(program, { cwd: project.root, env: process.env }));
  if (found) dirs.push(...programDirs(await realpath(found)));
  dirs.push(...toolchains);
  return [...new Set(dirs)].filter((dir) => existsSync(dir));
}

/**
 * The program's directory, and for a program inside an npm install (…/node_modules/pkg/bin.js)
 * the whole `node_modules` it was installed into, where its dependencies are.
 */
function programDirs(program: string): string[] {
  const at = program.indexOf("/node_modules/");
  return at >= 0 ? [dirname(program), program.slice(0, at + "/node_modules".length)] : [dirname(program)];
}

function presetProgram(project: Project, run: Run): string | undefined {
  const preset = agentPreset(project.config, run.agent);
  if (preset.driver === "acp") return preset.command[0];
  if (preset.driver === "command") return parseTemplate(preset.name, preset.template)[0];
  if (preset.driver === "headless") return preset.program;
  return undefined;
}

/**
 * For a real agent gaffer knows (Claude Code, Codex, Gemini CLI, opencode), as its preset says: the
 * same policy in the agent's own permission format, in its config directory. Returns the variables
 * that point it there.
 */
async function nativeAgentRules(
  project: Project,
  run: Run,
  dir: string,
  recorder: RunRecorder,
  login: boolean,
): Promise<Record<string, string>> {
  const preset = agentPreset(project.config, run.agent);
  const kind = preset.driver === "scripted" ? undefined : preset.nativeRules;
  if (!kind) return {};
  const written = writeAgentRules(dir, kind, run.workspace, { login });
  await recorder.event(EVENTS.guardAgentRules, { agent: kind, path: written.path });
  return written.env;
}

const PROJECT_REFS_FILE = "project-refs.json";

export function projectRefsPath(project: Project, run: Pick<Run, "id">): string {
  return join(project.paths.runDir(run.id), PROJECT_REFS_FILE);
}

/** The directory gaffer is installed in (its sources or build and its node_modules). */
function gafferRoot(): string {
  return fileURLToPath(new URL("../..", import.meta.url));
}

/** What the agent must not read in the project: env files and its git config (which may hold tokens). */
function projectSecrets(root: string): string[] {
  const envFiles = readdirSync(root).filter(
    (name) => /^\.env(\..+)?$/.test(name) || name === ".npmrc" || name === ".netrc",
  );
  return [...envFiles.map((name) => join(root, name)), join(root, ".git", "config")];
}
