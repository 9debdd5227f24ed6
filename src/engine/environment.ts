import type { Run } from "../store/index.ts";

/**
 * The environment for everything gaffer starts in a workspace (agent, gate, setup): the user's,
 * without git variables that could point git somewhere else, plus the run's coordinates.
 * NODE_TEST_CONTEXT is dropped too: when gaffer itself runs under `node --test`, a gate's own
 * `node --test` would otherwise report to that runner instead of exiting with its verdict.
 */
export function workspaceEnv(run: Run, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith("GIT_") && key !== "NODE_TEST_CONTEXT") env[key] = value;
  }
  env.GAFFER_RUN_ID = String(run.id);
  env.GAFFER_ITEM_ID = String(run.item_id);
  env.GAFFER_WORKSPACE = run.workspace;
  return env;
}
