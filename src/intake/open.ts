import type { TrackerConfig } from "../config/index.ts";
import { giteaTracker } from "./gitea/index.ts";
import { githubTracker } from "./github/index.ts";
import { type ClientTuning, DEFAULT_TUNING, type Tracker } from "./types.ts";

/** One tracker per forge kind; Forgejo is served by the Gitea tracker (they share API v1). */
const TRACKERS: Record<
  TrackerConfig["kind"],
  (config: TrackerConfig, env: NodeJS.ProcessEnv, tuning: ClientTuning) => Tracker
> = {
  github: githubTracker,
  gitea: giteaTracker,
};

/** The tracker `[tracker]` describes. Its token is read from the environment when first needed. */
export function openTracker(
  config: TrackerConfig,
  env: NodeJS.ProcessEnv = process.env,
  tuning: ClientTuning = DEFAULT_TUNING,
): Tracker {
  return TRACKERS[config.kind](config, env, tuning);
}
