/**
 * The wall below the agent. Everything gaffer starts for a run that executes code the agent wrote
 * or chose — the agent itself, its terminals, setup steps and gate commands — is spawned through
 * a Sandbox, which turns a command into the command that runs it inside the run's confinement.
 */

/** What the user asked for in gaffer.toml: refuse to run without a sandbox, warn, or skip it. */
export type SandboxMode = "required" | "preferred" | "off";

/**
 * The `[sandbox] mode` of a project: what it says, or "default" when it says nothing, which is
 * `required` for real agents and `preferred` for the built-in scripted agent.
 */
export type SandboxSetting = SandboxMode | "default";

export type NetworkPolicy =
  /** No network at all: only a private loopback. */
  | { mode: "none" }
  /**
   * Only these hosts (host or host:port), through gaffer's allowlisting proxy. Traffic to the
   * hosts of `models` is opened by the proxy, which adds the credentials and reads the answers.
   */
  | { mode: "allow"; hosts: string[]; models?: ModelTraffic };

/**
 * The wire format of a model API, which says how its answers tell usage and limits. "openai"
 * covers the Responses and Chat Completions APIs and the servers compatible with them.
 */
export type ModelApi = "anthropic" | "openai" | "gemini";

/** The request header a credential goes in: `authorization` carries it as a Bearer token. */
export type CredentialHeader = "authorization" | "x-api-key" | "x-goog-api-key";

/** A credential gaffer holds for a model host. Only `placeholder` enters the sandbox, in `variable`. */
export interface ModelCredential {
  /** The variable the agent reads it from, e.g. ANTHROPIC_API_KEY. */
  variable: string;
  value: string;
  /** Where the proxy puts it when the agent sent none of the placeholders. */
  header: CredentialHeader;
  /**
   * A login's access token, asked for on every request: gaffer refreshes it outside the sandbox
   * when it is about to expire. `value` is then unused, and `variable` only names the login.
   */
  token?: () => Promise<string>;
  /** Told when the host answered 401 to a request that carried the login's `value`. */
  rejected?: (value: string) => void;
}

/** A model host whose traffic the proxy opens: it terminates the agent's TLS there. */
export interface ModelRoute {
  /** As the agent asks for it: `host`, or `host:port` for a port other than 443. */
  host: string;
  api: ModelApi;
  /** `host:port` the proxy connects to instead (a gateway, a test server); its certificate must name that host. */
  upstream?: string;
  /** The first is the one added when the agent sent no placeholder. */
  credentials: ModelCredential[];
}

export interface ModelTraffic {
  routes: ModelRoute[];
  /** Extra certificate authorities (PEM) trusted for upstream connections, beside the system's. */
  upstreamCa: string[];
}

/** Tokens of one model request, by class; the classes do not overlap (a total is their sum). */
export interface TokenUsage {
  /** Input read at the full price: neither read from nor written to a cache. */
  input: number;
  /** Visible output, reasoning apart. */
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Output spent thinking (priced as output). */
  reasoning: number;
}

/**
 * A limit a model answer reported: `plan` (a subscription's usage limit, an exhausted quota or
 * credit: no use retrying before `resetsAt`), `rate` (slow down; the agent retries by itself) or
 * `overloaded` (the provider's capacity).
 */
export interface ModelLimit {
  kind: "plan" | "rate" | "overloaded";
  /** Milliseconds since the epoch, when the answer said. */
  resetsAt?: number;
  /** The provider's own words (agent-independent, but shown through printable()). */
  message: string;
}

/** One request the proxy carried to a model host and what its answer said. */
export interface ModelExchange {
  host: string;
  api: ModelApi;
  method: string;
  path: string;
  /** The upstream's status. A request that never reached the upstream is no exchange. */
  status: number;
  model?: string;
  /** Undefined when the answer told none (an error, a request that is not a generation). */
  usage?: TokenUsage;
  limit?: ModelLimit;
}

/** Where a confined process may read and write, what it sees of the environment, and its network. */
export interface SandboxPolicy {
  /** The run's workspace: writable, except the git metadata gaffer relies on (config, hooks, info, alternates). */
  workspace: string;
  /** A private directory mounted as HOME (writable), instead of the user's home. */
  home: string;
  /** A private directory mounted as /tmp (writable). */
  tmp: string;
  /**
   * A private directory mounted as /dev/shm (writable), so shared memory lands on disk where the
   * run's disk budget sees it. Without it /dev/shm is empty and read-only. /dev itself is read-only.
   */
  shm?: string;
  /** Further writable directories (e.g. an agent's state dir) or files (bound alone, so they cannot be replaced). */
  writable: string[];
  /** Further read-only directories (everything else is read-only already; these survive `deny`). */
  readOnly: string[];
  /** Paths made invisible: an empty directory over a directory, an empty file over a file. */
  deny: string[];
  network: NetworkPolicy;
  /** Names of variables passed through from gaffer's environment (PATH, LANG…); all others are dropped. */
  envAllow: string[];
  /** Variables set inside (after the allowlist), e.g. the run's coordinates. */
  env: Record<string, string>;
}

export interface WrapOptions {
  cwd: string;
  /** gaffer's environment for the command: only `envAllow` names pass into the sandbox. */
  env?: NodeJS.ProcessEnv;
  /** Variables of this one command, chosen by gaffer or the agent itself (not gaffer's secrets): all pass. */
  extraEnv?: Record<string, string>;
}

export interface WrappedCommand {
  /** The program and arguments to spawn instead of the original command. */
  argv: string[];
  /** The environment to spawn it with. */
  env: NodeJS.ProcessEnv;
  /** Told the process id once the command is started, by whoever counts what it starts. */
  spawned?: (pid: number) => void;
}

export interface Sandbox {
  /** "bwrap" confines; "none" only filters the environment (no sandbox available, or mode "off"). */
  readonly kind: "bwrap" | "none";
  /** The command that runs `argv` in the sandbox, with `cwd` (inside the workspace) as its directory. */
  wrap(argv: readonly string[], options: WrapOptions): WrappedCommand;
  /** Releases what the sandbox holds for the run (its network proxy). Safe to call twice. */
  close(): Promise<void>;
}

/** Whether a real sandbox can be made on this machine, and if not, why (shown to the user). */
export interface SandboxAvailability {
  available: boolean;
  reason?: string;
}

/** A request the network proxy refused because its host is not on the allowlist. */
export interface NetworkDenial {
  host: string;
  port: number;
  /** "CONNECT" for a tunnel (HTTPS), otherwise the method of a plain-HTTP request. */
  method: string;
}

/** Callbacks a caller may pass to `createSandbox`, e.g. to record denials as run events. */
export interface SandboxHooks {
  onNetworkDenied?: (denial: NetworkDenial) => void;
  /** Each model request the proxy carried, once its answer has ended. */
  onModelExchange?: (exchange: ModelExchange) => void;
}
