import { join } from "node:path";
import type { AgentPreset } from "../agents/index.ts";
import { agentPreset } from "../config/index.ts";
import {
  type Project,
  type RunObserver,
  type RunOutcome,
  type RunPlan,
  type RunResult,
  startRun,
} from "../engine/index.ts";
import { GafferError, isGafferError } from "../errors.ts";
import { withClaim } from "../factory/index.ts";
import { listAttempts, type Proposal, type Run } from "../store/index.ts";
import type { OneshotGate } from "./gate.ts";
import { type Simulation, simulatedAgent } from "./simulate.ts";

export interface OneshotOptions {
  /** Play the runner's deterministic demo instead of running a real agent. */
  simulate?: Simulation;
  /** An agent preset by name, instead of `AGENT_CMD` or gaffer.toml's default. */
  agent?: string;
  signal?: AbortSignal;
  observer?: RunObserver;
  /** How gaffer starts its scripted agent as a subprocess (see RunOptions). */
  scriptedAgentCommand: string[];
  env?: NodeJS.ProcessEnv;
}

/** How a Module-25 command ended: the run's outcome, or a gate that could not run at all. */
export interface OneshotResult {
  outcome: RunOutcome;
  /** The branch a proposal is (or would have been) on. */
  branch: string;
  run: Run | undefined;
  proposal: Proposal | undefined;
  /** Why it did not propose: the run's reason, or why the gate could not run. */
  reason: string | undefined;
  /** The last gate failure as the agent was told it. */
  failure: string | undefined;
  /** Agent turns that tried to fix a red gate (self-heal's count). */
  fixAttempts: number;
}

/** What one command contributes to its run: the item, the gate, the plan, the scripted simulation. */
export interface OneshotRun {
  agent: AgentPreset;
  itemId: number;
  gate: OneshotGate;
  plan: RunPlan & { branch: string };
}

/**
 * Runs an item as the Module-25 runner would, through gaffer's own run: the command's gate and
 * agent for this run only (gaffer.toml is not touched), the item claimed as `gaffer run` claims it.
 * A gate that cannot start is the runner's "gate failed", not a configuration error.
 */
export async function runOneshot(
  project: Project,
  spec: OneshotRun,
  options: OneshotOptions,
): Promise<OneshotResult> {
  const { agent } = spec;
  const configured: Project = {
    ...project,
    config: {
      ...project.config,
      agent: { ...project.config.agent, default: agent.name },
      agents: new Map([...project.config.agents, [agent.name, agent]]),
      gate: { ...project.config.gate, commands: spec.gate.commands, parallel: spec.gate.parallel },
    },
  };
  return withClaim(project, spec.itemId, async (lost) => {
    const signal = options.signal ? AbortSignal.any([options.signal, lost]) : lost;
    const runOptions = {
      agent: agent.name,
      signal,
      scriptedAgentCommand: options.scriptedAgentCommand,
      ...(options.observer && { observer: options.observer }),
    };
    try {
      return await describe(configured, spec, await startRun(configured, spec.itemId, runOptions, spec.plan));
    } catch (error) {
      if (!isGafferError(error) || error.code !== "gate-unavailable") throw error;
      return {
        outcome: "failed",
        branch: spec.plan.branch,
        run: undefined,
        proposal: undefined,
        reason: error.message,
        failure: undefined,
        fixAttempts: 0,
      };
    }
  });
}

/**
 * The command's agent, chosen before anything else as the runner did: the simulation's scripted
 * agent, else `--agent`, else `AGENT_CMD`, else a default gaffer.toml chose; never the scripted
 * agent with nothing to play.
 */
export function oneshotAgent(
  project: Project,
  command: "issue-to-pr" | "self-heal",
  options: OneshotOptions,
): AgentPreset {
  if (options.simulate) {
    const attempts = project.config.gate.maxFixAttempts + 1;
    return simulatedAgent(join(project.paths.stateDir, "simulate"), command, options.simulate, attempts);
  }
  const env = options.env ?? process.env;
  if (options.agent) return agentPreset(project.config, options.agent);
  if (env.AGENT_CMD) return agentPreset(project.config, "command");
  if (project.config.file !== undefined && project.config.agent.default !== "scripted")
    return agentPreset(project.config, project.config.agent.default);
  throw new GafferError(
    "no-agent",
    "No --simulate and no AGENT_CMD set",
    "set AGENT_CMD to your agent's headless command, or pass --simulate to run the deterministic demo",
  );
}

async function describe(project: Project, spec: OneshotRun, result: RunResult): Promise<OneshotResult> {
  const attempts = await listAttempts(project.store.db, result.run.id);
  const agentTurns = attempts.filter((a) => a.number > 0).length;
  return {
    outcome: result.outcome,
    branch: spec.plan.branch,
    run: result.run,
    proposal: result.proposal,
    reason: result.run.reason ?? undefined,
    failure: attempts.findLast((a) => a.feedback !== null)?.feedback ?? undefined,
    fixAttempts: spec.plan.gateFirst ? agentTurns : Math.max(0, agentTurns - 1),
  };
}
