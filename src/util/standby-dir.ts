import { isAbsolute, join } from "node:path";

/** Where every sandbox has its own empty directory, so no agent sees a socket put there. */
const HIDDEN_FROM_SANDBOXES = ["/run", "/tmp"];

/**
 * The directory a standby process of this user listens in: `$XDG_RUNTIME_DIR/gaffer-standby` when
 * that is under /run or /tmp, else `/tmp/gaffer-standby-<uid>`, places every sandbox replaces with
 * its own, whatever the environment of the run it confines.
 */
export function standbyDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime &&
    isAbsolute(runtime) &&
    HIDDEN_FROM_SANDBOXES.some((root) => runtime.startsWith(`${root}/`))
    ? join(runtime, "gaffer-standby")
    : fallbackStandbyDir();
}

/** Where a sandbox must hide a standby's socket: both places one may be, for this environment. */
export function standbyDirs(env: NodeJS.ProcessEnv): string[] {
  return [...new Set([standbyDir(env), fallbackStandbyDir()])];
}

function fallbackStandbyDir(): string {
  return `/tmp/gaffer-standby-${process.getuid?.() ?? "user"}`;
}
