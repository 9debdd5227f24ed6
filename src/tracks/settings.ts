import { isAbsolute } from "node:path";
import type { GafferConfig } from "../config/index.ts";
import type { RunRole } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { findRole, readRolePrompt } from "../factory/index.ts";
import type { GateCommand } from "../gate/index.ts";
import { hardenedGit } from "../workspace/index.ts";
import { phaseInstructions } from "./briefs.ts";
import type { Track } from "./layout.ts";
import type { TrackPhase } from "./state.ts";

const STEP_TIMEOUT_MS = 10 * 60_000;

/** The command a red phase must see fail: `[tracks] test`, else the gate's step named test, else its last. */
export function redGate(config: GafferConfig): GateCommand[] {
  const { commands } = config.gate;
  if (config.tracks.test) return [{ name: "test", run: config.tracks.test, timeoutMs: STEP_TIMEOUT_MS }];
  const test = commands.find((step) => step.name === "test") ?? commands.at(-1);
  if (test) return [test];
  throw new GafferError(
    "config-invalid",
    `${config.file ?? "gaffer.toml"}: no test command for a track's red phase`,
    'add [[gate.commands]] with name = "test", or set [tracks] test = "…"',
  );
}

/** The whole gate, which a green phase must pass. */
export function greenGate(config: GafferConfig): GateCommand[] {
  if (config.gate.commands.length > 0) return config.gate.commands;
  throw new GafferError(
    "config-invalid",
    `${config.file ?? "gaffer.toml"}: no [[gate.commands]]: a green phase without a gate proves nothing`,
    'add a gate, e.g. [[gate.commands]] name = "test" run = "npm test"',
  );
}

/**
 * The completion gate: `[tracks] complete`, else a `verify_complete.sh` the track or the project
 * has at `commit` (run as committed: executable ones directly, others with sh), else the whole gate.
 */
export async function completionGate(
  root: string,
  config: GafferConfig,
  track: Track,
  commit: string,
): Promise<GateCommand[]> {
  const step = (run: string) => [{ name: "complete", run, timeoutMs: 30 * 60_000 }];
  if (config.tracks.complete) return step(config.tracks.complete);
  for (const path of [
    `${track.dir}/verify_complete.sh`,
    "verify_complete.sh",
    "scripts/verify_complete.sh",
  ]) {
    const listed = await hardenedGit(root, ["ls-tree", commit, "--", path]);
    const mode = /^(\d+) blob /.exec(listed)?.[1];
    if (mode === "100755") return step(`./${path}`);
    if (mode === "100644") return step(`sh ${path}`);
  }
  return greenGate(config);
}

/**
 * Who works a phase: the `[tracks] red_role` or `green_role` when set (its agent, its prompt after
 * gaffer's words, its continuation), else the default agent in fresh sessions.
 */
export function phaseRole(
  config: GafferConfig,
  phase: TrackPhase,
  command: string,
): { role: RunRole; agent: string | undefined } {
  const name = phase === "red" ? config.tracks.redRole : config.tracks.greenRole;
  const instructions = phaseInstructions(phase, command);
  if (name === undefined)
    return { role: { name: phase, instructions, continuation: "fresh" }, agent: undefined };
  const role = findRole(config.factory, name);
  const prompt = readRolePrompt(role);
  return {
    role: {
      name: role.name,
      instructions: prompt ? `${instructions}\n\n${prompt.trimEnd()}` : instructions,
      continuation: role.continuation,
    },
    agent: role.agent,
  };
}

/** What no run may change: the track's own files and where gaffer keeps its state and reports. */
export function trackDenyPaths(config: GafferConfig, track: Track): string[] {
  const { tracks } = config;
  const within = (dir: string) => (isAbsolute(dir) ? [] : [`${dir.replace(/\/+$/, "")}/**`]);
  return [
    `${track.dir}/**`,
    ...within(tracks.stateDir),
    ...within(tracks.failuresDir),
    ...(isAbsolute(tracks.reportsDir) ? [] : [`${tracks.reportsDir}/TRACK_COMPLETION_${track.id}.md`]),
  ];
}
