import type { SandboxPolicy } from "./types.ts";

/**
 * The environment of a confined process: only the allowlisted names from `base`, then the
 * policy's own variables, then the command's own `extra`, then `fixed` (HOME, TMPDIR, proxy settings), which nothing overrides.
 * Everything else — tokens, keys, SSH_AUTH_SOCK — is dropped.
 */
export function confinedEnv(
  policy: SandboxPolicy,
  base: NodeJS.ProcessEnv,
  fixed: Record<string, string>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of policy.envAllow) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...policy.env, ...extra, ...fixed };
}
