import { openProject, type RunOutcome, type RunResult, resumeRun, startRun } from "../../engine/index.ts";
import { EXIT } from "../../errors.ts";
import { claimForRun, type HeldLease } from "../../factory/index.ts";
import { cancellable } from "../cancellable.ts";
import { color, parseId, print, printJson } from "../output.ts";
import { RunProgress } from "../progress.ts";
import { readyStandby } from "../standby/index.ts";
import { gafferCommand, printable } from "../../util/index.ts";

interface RunCommandOptions {
  agent?: string;
  resume?: boolean;
  json?: boolean;
  plain?: boolean;
}

/** How gaffer starts its own scripted agent as an ACP subprocess. */
export function scriptedAgentCommand(): string[] {
  return gafferCommand("agent", "scripted");
}

export async function run(cwd: string, itemText: string, options: RunCommandOptions): Promise<number> {
  const itemId = parseId(itemText, "item");
  const project = await openProject(cwd);
  let lease: HeldLease;
  try {
    lease = await claimForRun(project, itemId);
  } catch (error) {
    await project.close();
    throw error;
  }
  const progress = new RunProgress({
    live: process.stderr.isTTY === true && !options.plain && !options.json,
  });
  try {
    const result = await cancellable(progress, (signal) => {
      const runOptions = {
        ...(options.agent && { agent: options.agent }),
        signal: AbortSignal.any([signal, lease.lost]),
        observer: progress,
        scriptedAgentCommand: scriptedAgentCommand(),
      };
      return options.resume ? resumeRun(project, itemId, runOptions) : startRun(project, itemId, runOptions);
    });
    progress.stop();
    if (options.json) printJson(result);
    else printOutcome(result);
    return exitCodeOf(result.outcome);
  } finally {
    progress.stop();
    await lease.release("run ended");
    await project.close();
    // With warm workspaces, the next run starts in a standby process (none when one ran this one).
    if (project.config.workspace.warm > 0) await readyStandby({ wait: false });
  }
}

/** A run's outcome as `gaffer run` exits with it. */
export function exitCodeOf(outcome: RunOutcome): number {
  switch (outcome) {
    case "proposed":
      return EXIT.proposal;
    case "gave-up":
      return EXIT.gaveUp;
    case "cancelled":
      return EXIT.interrupted;
    case "interrupted":
      return EXIT.tempFail;
    case "failed":
      return EXIT.failed;
    default:
      return outcome satisfies never;
  }
}

function printOutcome(result: RunResult): void {
  const { run, proposal } = result;
  if (proposal) {
    print(color.green(`run ${run.id}: proposal ready on branch ${printable(proposal.branch)}`));
    print(`  review: gaffer show ${run.id}`);
    return;
  }
  const stopped = result.outcome === "cancelled" || result.outcome === "interrupted";
  const what = stopped ? color.yellow(result.outcome) : color.red(result.outcome);
  print(`run ${run.id}: ${what}${run.reason ? ` — ${printable(run.reason)}` : ""}`);
  if (run.reportPath) print(`  report: ${printable(run.reportPath)}`);
  if (stopped || result.outcome === "failed") print(`  resume: gaffer run ${run.itemId} --resume`);
}
