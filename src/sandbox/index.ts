/**
 * The sandbox: turns a command into one that runs confined to a run's workspace.
 *
 * ```ts
 * const availability = detectSandbox();            // once; cached per process
 * const sandbox = createSandbox(policy, availability.available ? "bwrap" : "none", {
 *   onNetworkDenied: (denial) => record(denial),
 * });
 * const { argv, env } = sandbox.wrap(["npm", "test"], { cwd: policy.workspace });
 * await runProcess(argv[0], argv.slice(1), { cwd: policy.workspace, env });
 * await sandbox.close();
 * ```
 */
import { createBwrapSandbox } from "./bwrap.ts";
import { createUnconfinedSandbox } from "./none.ts";
import type { Sandbox, SandboxHooks, SandboxPolicy } from "./types.ts";

export { detectSandbox } from "./detect.ts";
export { hostAllowed } from "./hosts.ts";
export { placeholderFor } from "./model-proxy/credentials.ts";
export { removeOrphanedRuntimeDirs } from "./runtime-dir.ts";
export type {
  CredentialHeader,
  ModelApi,
  ModelCredential,
  ModelExchange,
  ModelLimit,
  ModelRoute,
  ModelTraffic,
  NetworkDenial,
  NetworkPolicy,
  Sandbox,
  SandboxAvailability,
  SandboxHooks,
  SandboxMode,
  SandboxSetting,
  SandboxPolicy,
  TokenUsage,
  WrapOptions,
  WrappedCommand,
} from "./types.ts";

/**
 * A sandbox for one run. "bwrap" confines with bubblewrap (see createBwrapSandbox) and throws a
 * GafferError when bubblewrap does not work here; "none" only filters the environment. With a
 * network allowlist, the bwrap sandbox starts gaffer's proxy now; `close()` stops it.
 * `wrap()` spawns nothing: it only reads a few paths to build the command.
 */
export function createSandbox(
  policy: SandboxPolicy,
  kind: "bwrap" | "none",
  hooks: SandboxHooks = {},
): Sandbox {
  return kind === "bwrap" ? createBwrapSandbox(policy, hooks) : createUnconfinedSandbox(policy);
}
