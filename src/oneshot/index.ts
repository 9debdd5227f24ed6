/**
 * The Module-25 runner's two commands, one step each and no `gaffer init` needed:
 *
 *   await issueToPr(project, "issue.md", { scriptedAgentCommand });   // agent/<issue-stem>
 *   await selfHeal(project, { simulate: "bad", scriptedAgentCommand }); // gate first, agent/self-heal
 *
 * Both run through gaffer's engine (sandbox, gate, integrity checks, proposal) and never merge.
 */
export { MODULE25_GATE, type OneshotGate, oneshotGate } from "./gate.ts";
export { issueToPr } from "./issue-to-pr.ts";
export type { OneshotOptions, OneshotResult } from "./run-oneshot.ts";
export { selfHeal } from "./self-heal.ts";
export { RED_BUILD, type Simulation, simulationScenario } from "./simulate.ts";
