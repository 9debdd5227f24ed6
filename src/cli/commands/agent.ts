import { resolve } from "node:path";
import { runScriptedAgentOverStdio } from "../../agents/index.ts";

/** `gaffer agent scripted`: the built-in agent as an ACP subprocess speaking over stdio. */
export async function scriptedAgent(cwd: string, options: { scenario?: string }): Promise<number> {
  await runScriptedAgentOverStdio(
    options.scenario === undefined ? undefined : resolve(cwd, options.scenario),
  );
  return 0;
}
