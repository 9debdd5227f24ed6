import { resolve } from "node:path";
import { runScriptedAgentOverStdio } from "../../agents/index.ts";

/**
 * `gaffer agent scripted`: the built-in agent as an ACP subprocess speaking over stdio. It exits
 * as soon as its client disconnects, like a real agent on end of input: a step still sleeping must
 * not outlive a supervisor that was killed.
 */
export async function scriptedAgent(cwd: string, options: { scenario?: string }): Promise<never> {
  await runScriptedAgentOverStdio(
    options.scenario === undefined ? undefined : resolve(cwd, options.scenario),
  );
  process.exit(0);
}
