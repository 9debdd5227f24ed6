import { confinedEnv } from "./env.ts";
import type { Sandbox, SandboxPolicy } from "./types.ts";

/**
 * No confinement: the command runs as given, in the directory the caller spawns it in. It still
 * gets the policy's filtered environment, with HOME and TMPDIR pointing at the private dirs, so
 * tokens in gaffer's environment do not leak into the agent even without a sandbox. The
 * filesystem and network parts of the policy are not enforced.
 */
export function createUnconfinedSandbox(policy: SandboxPolicy): Sandbox {
  return {
    kind: "none",
    wrap(argv, options) {
      const fixed = { HOME: policy.home, TMPDIR: policy.tmp };
      const env = confinedEnv(policy, options.env ?? process.env, fixed, options.extraEnv);
      return { argv: [...argv], env };
    },
    close: async () => {},
  };
}
