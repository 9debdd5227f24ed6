import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { GafferError } from "../errors.ts";
import { type Bwrap, rememberBwrap, rememberedBwrap } from "./probe-cache.ts";
import type { SandboxAvailability } from "./types.ts";

export type { Bwrap } from "./probe-cache.ts";

type Detection = SandboxAvailability & { bwrap?: Bwrap };

/** What this process found per bwrap path, and whether it is remembered for the next ones. */
const detections = new Map<string, { detection: Detection; saved: boolean }>();

/**
 * Whether bubblewrap can confine processes here: Linux, `bwrap` on PATH (or at `$GAFFER_BWRAP`),
 * and a probe sandbox with the namespaces and mounts gaffer uses actually starting. The probe
 * runs once per process and bwrap path; a working one, once a sandbox was required, is remembered
 * between processes (`probe-cache.ts`); `reason` tells the user what is missing.
 */
export function detectSandbox(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): SandboxAvailability {
  // A read command only reads what a run remembered: it writes nothing, not even a cache.
  const { available, reason } = detect(env, platform, false);
  return reason === undefined ? { available } : { available, reason };
}

/** The working bubblewrap, or a GafferError saying why there is none. */
export function requireBwrap(env: NodeJS.ProcessEnv = process.env): Bwrap {
  const detection = detect(env, process.platform, true);
  if (detection.bwrap) return detection.bwrap;
  throw new GafferError(
    "sandbox-unavailable",
    `cannot start the sandbox: ${detection.reason ?? "bubblewrap is unavailable"}`,
    'set [sandbox] mode = "preferred" in gaffer.toml to run with guards only',
  );
}

/**
 * The flags every sandbox starts with; the probe uses them too, so detection sees what runs will.
 * No `--new-session`: gaffer starts every sandbox in a session of its own (see CommandWrapper),
 * which keeps the sandbox off any terminal as bwrap's would, and leaves gaffer the session's
 * scheduling group to lower (placeStarted).
 */
export function namespaceFlags(bwrap: Bwrap): string[] {
  return [
    "--die-with-parent",
    "--unshare-all",
    ...(bwrap.disableUserns ? ["--unshare-user", "--disable-userns"] : []),
    "--cap-drop",
    "ALL",
  ];
}

function detect(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, remember: boolean): Detection {
  if (platform !== "linux")
    return { available: false, reason: `not Linux (${platform}): the sandbox needs bubblewrap` };
  const path = env.GAFFER_BWRAP || findOnPath("bwrap", env.PATH ?? "");
  if (path === undefined)
    return { available: false, reason: "bubblewrap is not installed: apt-get install bubblewrap" };
  let known = detections.get(path);
  if (known === undefined) {
    const remembered = rememberedBwrap(path, env);
    known = remembered
      ? { detection: { available: true, bwrap: remembered }, saved: true }
      : { detection: probe(path), saved: false };
    detections.set(path, known);
  }
  if (remember && !known.saved && known.detection.bwrap) {
    rememberBwrap(known.detection.bwrap, env);
    known.saved = true;
  }
  return known.detection;
}

function probe(path: string): Detection {
  const version = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 5000 });
  if (version.error)
    return {
      available: false,
      reason: `bubblewrap is not installed (${path}: ${version.error.message}): apt-get install bubblewrap`,
    };
  const match = /(\d+)\.(\d+)/.exec(version.stdout);
  const bwrap = { path, disableUserns: match !== null && (Number(match[1]) > 0 || Number(match[2]) >= 8) };
  const args = [...namespaceFlags(bwrap), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"];
  const result = spawnSync(path, args, { encoding: "utf8", timeout: 5000 });
  if (result.status === 0) return { available: true, bwrap };
  const detail = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split("\n")[0];
  if (/namespace|uid map|unshare|Operation not permitted/i.test(detail ?? "")) {
    return {
      available: false,
      reason: `user namespaces are disabled (${detail}): enable them (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0)`,
    };
  }
  return { available: false, reason: `bubblewrap does not work here (${detail})` };
}

function findOnPath(program: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
