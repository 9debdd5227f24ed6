import type { Run } from "../store/index.ts";

/**
 * The environment for everything gaffer starts in a workspace (agent, gate, setup): the user's,
 * without git variables that could point git somewhere else, plus the run's coordinates.
 */
export function workspaceEnv(run: Run, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  env.GAFFER_RUN_ID = String(run.id);
  env.GAFFER_ITEM_ID = String(run.item_id);
  env.GAFFER_WORKSPACE = run.workspace;
  return env;
}
