import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { formatDuration } from "../config/index.ts";
import {
  type Attempt,
  type GateResult,
  type Item,
  listAttempts,
  listGateResults,
  type Run,
} from "../store/index.ts";
import { workspaceGit } from "../workspace/index.ts";
import { secretRedactor } from "./known-secrets.ts";
import type { Project } from "./project.ts";
import { runWorkspace } from "./workspace-handle.ts";
import { backticks, fencedBlock, printable } from "../util/index.ts";

/**
 * Writes the markdown failure report of a run that ends without a proposal: header, attempts,
 * last failures, gate state, git state and a recommendation. Returns its path.
 */
export async function writeFailureReport(
  project: Project,
  run: Run,
  item: Item,
  reason: string,
): Promise<string> {
  const db = project.store.db;
  const attempts = await listAttempts(db, run.id);
  const gate = await listGateResults(db, run.id);
  const stopped = Date.now();
  const sections = [
    `# Failure report: run ${run.id}, item #${item.id}`,
    table([
      ["item", `#${item.id} ${item.title}`],
      ["branch", `${code(run.branch)} from ${code(run.baseBranch)} (${run.baseCommit.slice(0, 12)})`],
      ["started", new Date(run.createdAt).toISOString()],
      ["stopped", new Date(stopped).toISOString()],
      ["duration", formatDuration(stopped - run.createdAt)],
      ["give-up signal", reason],
    ]),
    "## Attempts",
    attemptsTable(attempts, gate),
    "## Last failures",
    lastFailures(attempts),
    "## Gate state",
    gateState(gate.filter((g) => g.attempt === run.attempt)),
    "## Git state",
    await gitState(run),
    "## Recommendation",
    recommend(reason, run, item),
  ];
  const path = project.paths.report(run.id);
  mkdirSync(dirname(path), { recursive: true });
  // Gate output, commit subjects and file names are the agent's: no secret gaffer knows is shown.
  const redact = await secretRedactor(project);
  writeFileSync(path, redact(`${sections.join("\n\n")}\n`));
  return path;
}

/** A markdown table; its cells are single lines, with agent-controlled characters shown escaped. */
function table(rows: string[][], header = ["", ""]): string {
  const line = (cells: string[]) =>
    `| ${cells.map((c) => printable(c).replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Agent-controlled output in a block it cannot close early (see fencedBlock). */
function fenced(content: string): string {
  return fencedBlock(printable(content, "text"), "text");
}

/** Inline code that no content can end early, by the same rule. */
function code(content: string): string {
  const text = printable(content);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${backticks(text, 1)}${pad}${text}${pad}${backticks(text, 1)}`;
}

function attemptsTable(attempts: Attempt[], gate: GateResult[]): string {
  if (attempts.length === 0) return "No attempt started.";
  return table(
    attempts.map((a) => {
      const failed = gate.find((g) => g.attempt === a.number && g.exitCode !== 0);
      const verdict = a.state === "red" && failed ? `red (${failed.name}: ${exitText(failed)})` : a.state;
      const duration = a.endedAt ? formatDuration(a.endedAt - a.startedAt) : "unfinished";
      const changed = a.changed === null ? "?" : a.changed ? "yes" : "no";
      return [String(a.number), a.stopReason ?? "-", changed, verdict, duration];
    }),
    ["attempt", "agent stop", "changed files", "gate", "duration"],
  );
}

function lastFailures(attempts: Attempt[]): string {
  const failures = attempts.filter((a) => a.feedback).slice(-3);
  if (failures.length === 0) return "No gate failure was recorded.";
  return failures.map((a) => `### Attempt ${a.number}\n\n${fenced(a.feedback ?? "")}`).join("\n\n");
}

function gateState(results: GateResult[]): string {
  if (results.length === 0) return "The gate did not run on the last attempt.";
  return table(
    results.map((g) => [
      g.name,
      code(g.command),
      exitText(g),
      formatDuration(g.durationMs),
      g.outputSha256.slice(0, 16),
      g.logPath ?? "-",
    ]),
    ["step", "command", "result", "duration", "output sha256", "full log"],
  );
}

function exitText(result: GateResult): string {
  if (result.timedOut) return "timed out";
  if (result.exitCode === null) return `killed (${result.signal ?? "signal"})`;
  return `exit ${result.exitCode}`;
}

async function gitState(run: Run): Promise<string> {
  if (!run.workspace || !existsSync(run.workspace)) return "No workspace was created.";
  try {
    const log = await workspaceGit(runWorkspace(run), [
      "log",
      "--oneline",
      "--no-decorate",
      `${run.baseCommit}..HEAD`,
    ]);
    const status = await workspaceGit(runWorkspace(run), [
      "status",
      "--short",
      "--untracked-files=all",
      "--ignore-submodules=all",
    ]);
    return [
      `Workspace: ${code(run.workspace)}`,
      `Commits on ${code(run.branch)} since the base:\n\n${fenced(log.trim() || "(none)")}`,
      `Uncommitted changes:\n\n${fenced(status.trimEnd() || "(none)")}`,
    ].join("\n\n");
  } catch (error) {
    return `The workspace could not be read: ${printable(error instanceof Error ? error.message : String(error))}`;
  }
}

function recommend(reason: string, run: Run, item: Item): string {
  const resume = `\`gaffer run ${item.id} --resume\``;
  const inspect = `Inspect the work with \`gaffer show ${run.id}\` and \`gaffer logs ${run.id}\`.`;
  if (reason.startsWith("no-change")) {
    return `The agent made no change. Make the item more concrete (what to change, how to check it) or try another agent. ${inspect}`;
  }
  if (reason.startsWith("repeated-failure")) {
    return `The agent is stuck on the same failure. Read the last failure above, add the missing guidance to the item or the conventions file, then start a new run. ${inspect}`;
  }
  if (reason.startsWith("attempts-exhausted")) {
    return `The failures changed from attempt to attempt, so the agent was still making progress: raise \`max_fix_attempts\` or split the item, then start a new run. ${inspect}`;
  }
  return `Fix the cause above, then continue with ${resume}. ${inspect}`;
}
