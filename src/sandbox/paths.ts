import { realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { isWithin } from "./mounts.ts";
import type { SandboxPolicy } from "./types.ts";

/**
 * The policy with real paths (resolved once, when the sandbox is made, before any agent runs),
 * so mount targets match what bwrap resolves. Refuses a writable root inside another, or a
 * read-only path inside a writable root: the agent could swap such a path for a symlink, and
 * the next sandbox would bind whatever the symlink points to.
 */
export function resolvePolicy(policy: SandboxPolicy): SandboxPolicy {
  const paths = {
    ...policy,
    workspace: real(policy.workspace),
    home: real(policy.home),
    tmp: real(policy.tmp),
    ...(policy.shm !== undefined && { shm: real(policy.shm) }),
    writable: policy.writable.map(real),
    readOnly: policy.readOnly.map(real),
    deny: policy.deny.map(real),
  };
  const writableRoots = [
    paths.workspace,
    paths.home,
    paths.tmp,
    ...(paths.shm === undefined ? [] : [paths.shm]),
    ...paths.writable,
  ];
  for (const root of writableRoots) {
    const nested = [...writableRoots, ...paths.readOnly].find(
      (path) => path !== root && isWithin(path, root),
    );
    if (nested !== undefined) {
      throw new GafferError(
        "config-invalid",
        `sandbox: ${nested} lies inside ${root}, which the agent can write`,
        "keep the sandbox's read and write paths outside the workspace and each other",
      );
    }
  }
  return paths;
}

/** Fails clearly, rather than deep in bwrap, when a directory the sandbox mounts is missing. */
export function requireDirs(paths: SandboxPolicy): void {
  const required = {
    workspace: paths.workspace,
    home: paths.home,
    tmp: paths.tmp,
    ...(paths.shm !== undefined && { shm: paths.shm }),
  };
  for (const [name, dir] of Object.entries(required)) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new GafferError("invalid-input", `sandbox: the ${name} directory ${dir} does not exist`);
    }
  }
}

/** The real working directory, which must lie in the workspace, the home or a writable path. */
export function confinedCwd(cwd: string, paths: SandboxPolicy): string {
  const dir = real(cwd);
  if ([paths.workspace, paths.home, ...paths.writable].some((root) => isWithin(dir, root))) return dir;
  throw new GafferError(
    "invalid-input",
    `sandbox: the working directory ${cwd} is outside the workspace ${paths.workspace}`,
    "start sandboxed commands in the run's workspace or a writable directory of the policy",
  );
}

export function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
