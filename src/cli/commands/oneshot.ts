import { openProject, type Project } from "../../engine/index.ts";
import { EXIT } from "../../errors.ts";
import {
  issueToPr,
  type OneshotOptions,
  type OneshotResult,
  selfHeal,
  type Simulation,
} from "../../oneshot/index.ts";
import { printable } from "../../util/index.ts";
import { cancellable } from "../cancellable.ts";
import { color, print, printJson } from "../output.ts";
import { RunProgress } from "../progress.ts";
import { exitCodeOf, scriptedAgentCommand } from "./run.ts";

interface OneshotCommandOptions {
  simulate?: Simulation;
  agent?: string;
  json?: boolean;
  plain?: boolean;
}

const RULE = "=".repeat(80);

/** `gaffer issue-to-pr <issue.md>`: exit 0 proposed, 1 the gate or the agent failed. */
export async function issueToPrCommand(
  cwd: string,
  file: string,
  options: OneshotCommandOptions,
): Promise<number> {
  return oneshot(cwd, options, async (project, run) => {
    say(options, `[issue-to-pr] brief: ${file}`);
    if (options.simulate)
      say(
        options,
        `[issue-to-pr] simulating a '${options.simulate}' agent on the self-contained demo target.`,
      );
    const result = await issueToPr(project, file, run);
    if (result.outcome === "proposed") return proposed(options, result);
    rejected(options, result, "the agent's change does not pass the gate");
    return result.outcome === "gave-up" ? EXIT.failed : exitCodeOf(result.outcome);
  });
}

/** `gaffer self-heal`: exit 0 healed and proposed, 1 the gate or the agent failed, 2 gave up. */
export async function selfHealCommand(cwd: string, options: OneshotCommandOptions): Promise<number> {
  return oneshot(cwd, options, async (project, run) => {
    say(
      options,
      options.simulate
        ? `[self-heal] simulating a red build ('${options.simulate}') on the demo target.`
        : "[self-heal] running the gate on the default branch to find the failure...",
    );
    const result = await selfHeal(project, run);
    if (result.outcome === "proposed") {
      say(options, `[self-heal] gate is green after ${result.fixAttempts} fix attempt(s).`);
      return proposed(options, result);
    }
    if (result.outcome !== "gave-up") {
      rejected(options, result, "the gate could not be healed");
      return exitCodeOf(result.outcome);
    }
    if (options.json) return printResult(result, EXIT.gaveUp);
    if (result.failure) print(printable(result.failure, "text"));
    print(`\n${RULE}`);
    print(
      `SELF-HEAL GAVE UP after ${result.fixAttempts} attempts. Handing off to a human — NOT looping forever.`,
    );
    if (result.reason) print(`Why: ${printable(result.reason)}`);
    if (result.run?.reportPath) print(`Report: ${printable(result.run.reportPath)}`);
    print(RULE);
    return EXIT.gaveUp;
  });
}

async function oneshot(
  cwd: string,
  options: OneshotCommandOptions,
  body: (project: Project, run: OneshotOptions) => Promise<number>,
): Promise<number> {
  const project = await openProject(cwd);
  const progress = new RunProgress({
    live: process.stderr.isTTY === true && !options.plain && !options.json,
  });
  try {
    return await cancellable(progress, (signal) =>
      body(project, {
        signal,
        observer: progress,
        scriptedAgentCommand: scriptedAgentCommand(),
        ...(options.simulate && { simulate: options.simulate }),
        ...(options.agent && { agent: options.agent }),
      }),
    );
  } finally {
    progress.stop();
    await project.close();
  }
}

/** The runner's words for a proposal, with gaffer's way to merge it. */
function proposed(options: OneshotCommandOptions, result: OneshotResult): number {
  if (options.json) return printResult(result, EXIT.proposal);
  const branch = printable(result.branch);
  const base = printable(result.run?.baseBranch ?? "main");
  print(`\n${RULE}`);
  print(color.green("GATE PASSED. Proposing a PR — NOT merging. A human reviews the diff."));
  print(RULE);
  print("\nReview the change you're about to propose:");
  print(`  git show ${branch}          # or: git diff ${base}..${branch}`);
  print("\nThen open the PR (nothing has left your machine yet):");
  print(`  git push -u origin ${branch}`);
  print("  # ...and open a pull request on your forge. CI + security gates run there.");
  if (result.run)
    print(
      `\nEvidence: gaffer show ${result.run.id}   ·   merge here through the vault: gaffer merge ${result.run.id}`,
    );
  print("\nThe agent stops here. It cannot merge. That is the whole safety model.");
  return EXIT.proposal;
}

function rejected(options: OneshotCommandOptions, result: OneshotResult, what: string): void {
  if (options.json) {
    printJson(result);
    return;
  }
  if (result.failure) print(printable(result.failure, "text"));
  print(`\n${RULE}`);
  print(color.red(`GATE FAILED: ${what}`));
  if (result.reason) print(`Why: ${printable(result.reason)}`);
  print("No PR proposed.");
  if (result.run) {
    print(
      `The run's workspace is kept: gaffer show ${result.run.id}   ·   discard it: gaffer discard ${result.run.id}`,
    );
    if (result.run.reportPath) print(`Report: ${printable(result.run.reportPath)}`);
  }
  print(RULE);
}

function printResult(result: OneshotResult, code: number): number {
  printJson(result);
  return code;
}

/** A line of the runner's narration, on stderr so stdout stays the result. */
function say(options: OneshotCommandOptions, text: string): void {
  if (!options.json) process.stderr.write(`${printable(text)}\n`);
}
