import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { didYouMean, type FactoryConfig, type Phase, shownPath } from "../config/index.ts";
import { GafferError } from "../errors.ts";
import { appendEvent, type Db, EVENTS } from "../store/index.ts";

/**
 * The current phase, persisted as a 0-based index in a `phase-idx` file: the engine's own
 * `<log_dir>/state/phase-idx` for an agents.toml factory (so its state carries over), else
 * `.gaffer/factory/phase-idx`. An index equal to the number of phases means the last one is done.
 */
export interface PhaseState {
  /** 0-based; equal to `count` once every phase is done. */
  index: number;
  count: number;
  /** The current phase; the last one once every phase is done. */
  phase: Phase;
  done: boolean;
  file: string;
}

/** What a phase command or the reviewer changed. */
export interface PhaseChange {
  from: PhaseState;
  to: PhaseState;
}

/** The project a phase change is written to. */
export interface PhaseContext {
  factory: FactoryConfig;
  stateDir: string;
  db: Db;
}

export function phaseIndexFile(factory: FactoryConfig, stateDir: string): string {
  return factory.format === "agents.toml" && factory.logDir !== undefined
    ? join(factory.logDir, "state", "phase-idx")
    : join(stateDir, "factory", "phase-idx");
}

/** The persisted phase; the first when nothing is persisted yet; undefined without phases. Reads only. */
export function readPhaseState(factory: FactoryConfig, stateDir: string): PhaseState | undefined {
  const count = factory.phases.length;
  if (count === 0) return undefined;
  const file = phaseIndexFile(factory, stateDir);
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return stateAt(factory, 0, file);
    throw error;
  }
  const index = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(index <= count)) {
    throw new GafferError(
      "config-invalid",
      `${shownPath(file)}: "${text}" is not a phase index: ${count} phases are configured (0 to ${count - 1}, or ${count} when done)`,
      "run `gaffer phase set <id>` to choose the current phase",
    );
  }
  return stateAt(factory, index, file);
}

/** Where the phase at `index` stands relative to the current one. */
export function progressOf(state: PhaseState | undefined, index: number): "done" | "in progress" | "pending" {
  if (!state || index > state.index) return "pending";
  return index < state.index || state.done ? "done" : "in progress";
}

/** A phase by id, or by its number as `gaffer status` shows it (1 to N); the 0-based index. */
export function findPhase(factory: FactoryConfig, ref: string): number {
  const byId = factory.phases.findIndex((phase) => phase.id === ref);
  if (byId >= 0) return byId;
  const numeric = /^\d+$/.test(ref);
  if (numeric && Number(ref) >= 1 && Number(ref) <= factory.phases.length) return Number(ref) - 1;
  const ids = factory.phases.map((phase) => phase.id);
  const suggestion = numeric ? undefined : didYouMean(ref, ids);
  throw new GafferError(
    "usage",
    `no phase "${ref}"`,
    `${suggestion ? `did you mean "${suggestion}"? ` : ""}give a phase id (${ids.join(", ") || "none configured"}) or a number from 1 to ${ids.length}`,
  );
}

/** Makes `index` (0-based) the current phase and records that it was set by hand. */
export async function setPhase(context: PhaseContext, index: number): Promise<PhaseChange> {
  const from = requirePhases(context);
  return change(context, from, index, EVENTS.phaseSet);
}

/**
 * Moves on from the current phase: to the next one, or from the last one to "done". Refuses when
 * every phase is done already, and, given `expected`, when the current phase is another one (so
 * two reviewers accepting the same phase advance it once).
 */
export async function advancePhase(
  context: PhaseContext,
  options: { expected?: string } = {},
): Promise<PhaseChange> {
  const from = requirePhases(context);
  if (from.done) {
    throw new GafferError(
      "run-state",
      `every phase is done: ${from.phase.id} is the last of ${from.count}, there is no phase after it`,
      "add a [[phases]] entry, or `gaffer phase set <id>` to work on a phase again",
    );
  }
  if (options.expected !== undefined && options.expected !== from.phase.id) {
    throw new GafferError(
      "run-state",
      `phase ${options.expected} is not the current phase (${from.phase.id} is)`,
      "read the current phase with `gaffer phase show`",
    );
  }
  return change(context, from, from.index + 1, EVENTS.phaseAdvanced);
}

function requirePhases(context: PhaseContext): PhaseState {
  const state = readPhaseState(context.factory, context.stateDir);
  if (state) return state;
  throw new GafferError("config-invalid", "no phases are configured", addPhases(context.factory));
}

/** What to do about a factory without phases. */
export function addPhases(factory: FactoryConfig): string {
  return `add [[phases]] to ${factory.format === "agents.toml" ? "agents.toml" : "gaffer.toml"}`;
}

async function change(
  context: PhaseContext,
  from: PhaseState,
  index: number,
  def: typeof EVENTS.phaseSet | typeof EVENTS.phaseAdvanced,
): Promise<PhaseChange> {
  mkdirSync(dirname(from.file), { recursive: true });
  writeFileSync(`${from.file}.tmp`, `${index}\n`);
  renameSync(`${from.file}.tmp`, from.file);
  const to = stateAt(context.factory, index, from.file);
  await appendEvent(context.db, {}, def, {
    from: from.phase.id,
    fromDone: from.done,
    to: to.phase.id,
    index,
    done: to.done,
  });
  return { from, to };
}

function stateAt(factory: FactoryConfig, index: number, file: string): PhaseState {
  const count = factory.phases.length;
  const phase = factory.phases[Math.min(index, count - 1)] as Phase;
  return { index, count, phase, done: index >= count, file };
}
