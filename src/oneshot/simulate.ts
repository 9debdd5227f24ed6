import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentPreset } from "../agents/index.ts";
import type { Identity } from "../workspace/index.ts";
import { commitTree, treeWithFiles } from "../workspace/index.ts";

/** What `--simulate` plays: a right change, a plausible wrong one, or wrong fixes that never converge. */
export type Simulation = "good" | "bad" | "stuck";

/**
 * The Module-25 runner's self-contained demo target: a discount function and its test. The
 * simulated agent writes only these two files, in gaffer's workspace, never in the user's tree.
 */
const DEMO_SOURCE = "agent_demo.py";
const DEMO_TEST = "test_agent_demo.py";

const TEST_TEXT = [
  "from agent_demo import discount",
  "",
  "",
  "def test_discount_takes_a_percentage():",
  "    # 10% off 200 is 180. A flat subtraction (200 - 10 = 190) is the plausible-but-wrong bug.",
  "    assert discount(200, 10) == 180",
  "",
].join("\n");

const source = (expression: string) => `def discount(price, pct):\n    return ${expression}\n`;
const RIGHT = source("price - price * pct / 100");
/** Plausible but wrong: the percent taken as a flat amount. */
const WRONG = source("price - pct");
/** The stuck agent's fix on attempt `n`: plausible, still wrong, different each time. */
const stuckFix = (n: number) => source(`price - pct - ${n}`);

/** The red build `self-heal --simulate` heals: the wrong implementation with its test. */
export const RED_BUILD: Readonly<Record<string, string>> = { [DEMO_SOURCE]: WRONG, [DEMO_TEST]: TEST_TEXT };

/**
 * The scripted agent's scenario for one command and simulation, one entry per attempt it can get
 * (`attempts`: the first implementation, or the first fix, and the fix attempts after it).
 */
export function simulationScenario(
  command: "issue-to-pr" | "self-heal",
  simulation: Simulation,
  attempts: number,
): string {
  const write = (path: string, content: string) =>
    `{ write = ${JSON.stringify(path)}, content = ${JSON.stringify(content)} }`;
  const say = (text: string) => `{ say = ${JSON.stringify(`[simulated agent] ${text}`)} }`;
  const entries: string[][] = [];
  if (command === "issue-to-pr") {
    entries.push([
      say(`implementing the issue (${simulation})`),
      write(DEMO_TEST, TEST_TEXT),
      write(DEMO_SOURCE, simulation === "good" ? RIGHT : WRONG),
    ]);
    if (simulation === "stuck")
      for (let n = 1; n < attempts; n++)
        entries.push([say(`fix attempt ${n}`), write(DEMO_SOURCE, stuckFix(n))]);
  } else if (simulation === "stuck") {
    for (let n = 1; n <= Math.max(1, attempts); n++)
      entries.push([say(`fix attempt ${n}`), write(DEMO_SOURCE, stuckFix(n))]);
  } else {
    entries.push([say("fixing the percentage"), write(DEMO_SOURCE, RIGHT)]);
  }
  const name = `simulated ${command} (${simulation})`;
  return [
    `name = ${JSON.stringify(name)}`,
    ...entries.map((steps) => `\n[[attempts]]\nsteps = [\n  ${steps.join(",\n  ")},\n]`),
    "",
  ].join("\n");
}

/** The in-process scripted agent playing a simulation, its scenario written under `dir`. */
export function simulatedAgent(
  dir: string,
  command: "issue-to-pr" | "self-heal",
  simulation: Simulation,
  attempts: number,
): AgentPreset {
  mkdirSync(dir, { recursive: true });
  const scenario = join(dir, `${command}-${simulation}.toml`);
  writeFileSync(scenario, simulationScenario(command, simulation, attempts));
  return { name: "simulated", driver: "scripted", inProcess: true, scenario };
}

/** A commit on `base` that adds the red build: what a simulated self-heal starts from. Moves no branch. */
export async function plantRedBuild(project: string, base: string, identity: Identity): Promise<string> {
  const tree = await treeWithFiles(project, base, RED_BUILD);
  return commitTree(project, {
    tree,
    parent: base,
    message: "Simulated red build: discount() subtracts the percent as a flat amount\n",
    identity,
  });
}
