import type { Project, RunObserver } from "../engine/index.ts";
import type { TrackBranch } from "./commits.ts";
import type { Failcount } from "./failcount.ts";
import type { GiveUpSignal } from "./reports.ts";
import type { TrackState } from "./state.ts";
import type { ProgressWatchdog } from "./watchdog.ts";

export interface TrackRunOptions {
  /** Continue the track's run from its state file instead of starting it. */
  resume: boolean;
  signal: AbortSignal;
  observer?: RunObserver;
  /** How gaffer starts its scripted agent as a subprocess (see RunOptions). */
  scriptedAgentCommand: string[];
  /** A line for whoever watches: what the track is doing. */
  onNote?: (line: string) => void;
}

/** How a track run ended. */
export type TrackOutcome = "completed" | "gave-up" | "cancelled" | "interrupted";

export interface TrackResult {
  outcome: TrackOutcome;
  track: string;
  branch: string;
  /** The failure report (gave up) or the completion report (completed). */
  report: string | undefined;
  signal: GiveUpSignal | undefined;
  detail: string | undefined;
  state: TrackState;
}

/** What every step of a track run shares. */
export interface TrackContext {
  project: Project;
  state: TrackState;
  failcount: Failcount;
  watchdog: ProgressWatchdog;
  options: TrackRunOptions;
  /** The track's branch and its tip as gaffer last moved it. */
  at: TrackBranch;
  /** Writes the state file now. */
  save(): void;
  note(line: string): void;
}

/** A phase that ended without meeting its goal ends the track run: how, and why. */
export type Halt =
  | { kind: "give-up"; signal: GiveUpSignal; detail: string }
  | { kind: "cancelled" | "interrupted"; detail: string };
