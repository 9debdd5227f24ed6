import { createHash } from "node:crypto";
import { errorBlocks, failingTests } from "./extract.ts";
import { dedupKey, plainText, stableLine } from "./normalize.ts";
import type { GateExecution } from "./types.ts";

const FALLBACK_LINES = 40;
const MAX_LINE_CHARS = 400;

/** What one failing gate step comes down to. */
interface FailureSummary {
  header: string;
  tests: string[];
  errors: string[][];
  /** The output's last lines, used when no test or error was recognised. */
  tail: string[];
}

/**
 * A short account of why the gate failed, for the agent's next prompt: the failing step, the
 * failing tests and the distinct errors, at most `maxBytes` UTF-8 bytes.
 */
export function compressFailure(executions: readonly GateExecution[], options: { maxBytes: number }): string {
  const lines: { text: string; logPath: string }[] = [];
  for (const execution of failed(executions)) {
    if (lines.length > 0) lines.push({ text: "", logPath: execution.logPath });
    for (const text of renderSummary(summarise(execution))) lines.push({ text, logPath: execution.logPath });
  }
  return capLines(lines, options.maxBytes);
}

/**
 * Identifies a failure independently of timings, pids, temp paths and line numbers: the same
 * failure twice gives the same signature, a different failure a different one.
 */
export function failureSignature(executions: readonly GateExecution[]): string {
  const parts = failed(executions).map((execution) => {
    const summary = summarise(execution);
    const recognised = summary.tests.length + summary.errors.length > 0;
    return {
      step: execution.name,
      status: status(execution),
      tests: summary.tests.map(stableLine),
      errors: summary.errors.map((block) => block.map(stableLine)),
      tail: recognised ? [] : summary.tail.map(stableLine),
    };
  });
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

function failed(executions: readonly GateExecution[]): GateExecution[] {
  return executions.filter((execution) => !execution.passed);
}

function summarise(execution: GateExecution): FailureSummary {
  const lines = plainText(execution.output)
    .split("\n")
    .map((line) => clip(line.trimEnd()));
  return {
    header: `gate step "${execution.name}" failed: ${execution.command} (${status(execution)})`,
    tests: distinct(failingTests(lines), (name) => [name]),
    errors: distinct(errorBlocks(lines), (block) => block).filter((block) => block.length > 0),
    tail: lastLines(lines, FALLBACK_LINES),
  };
}

function status(execution: GateExecution): string {
  if (execution.notFound) return "not found";
  if (execution.timedOut) return `timed out after ${seconds(execution.durationMs)}s`;
  if (execution.exitCode !== null) return `exit ${execution.exitCode}`;
  return `killed by ${execution.signal ?? "a signal"}`;
}

function seconds(ms: number): number {
  const value = ms / 1000;
  return Number(value.toFixed(value < 10 ? 1 : 0));
}

function renderSummary(summary: FailureSummary): string[] {
  const lines = [summary.header];
  if (summary.tests.length > 0) lines.push("Failing tests:", ...summary.tests.map((name) => `- ${name}`));
  if (summary.errors.length > 0) lines.push("Errors:", ...summary.errors.flatMap(renderBlock));
  if (lines.length === 1) lines.push("Last lines of output:", ...summary.tail);
  return lines;
}

/** The error line, then its context indented beneath it, keeping the context's own layout. */
function renderBlock(block: string[]): string[] {
  const [first = "", ...context] = block;
  const indent = Math.min(...context.map((line) => /^\s*/.exec(line)?.[0].length ?? 0));
  return [first.trim(), ...context.map((line) => `  ${line.slice(indent)}`)];
}

function distinct<T>(items: T[], linesOf: (item: T) => string[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = linesOf(item).map(dedupKey).join("\n");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lastLines(lines: string[], count: number): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === "") end -= 1;
  return lines.slice(Math.max(0, end - count), end);
}

function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}

/** Keeps whole lines while they fit, then says how many were left out and where they are. */
function capLines(lines: { text: string; logPath: string }[], maxBytes: number): string {
  const full = lines.map((line) => line.text).join("\n");
  if (Buffer.byteLength(full) <= maxBytes) return full;
  let used = 0;
  let kept = 0;
  const sizes = lines.map((line) => Buffer.byteLength(line.text) + 1);
  for (let count = 0; count < lines.length; count += 1) {
    const marker = omittedMarker(lines.length - count, lines[count]?.logPath ?? "");
    if (used + Buffer.byteLength(marker) <= maxBytes) kept = count;
    used += sizes[count] ?? 0;
  }
  const marker = omittedMarker(lines.length - kept, lines[kept]?.logPath ?? "");
  const text = [...lines.slice(0, kept).map((line) => line.text), marker].join("\n");
  return Buffer.byteLength(text) <= maxBytes ? text : cutBytes(marker, maxBytes);
}

function omittedMarker(count: number, logPath: string): string {
  return `[… ${count} more lines omitted; full output in ${logPath}]`;
}

function cutBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text).subarray(0, maxBytes);
  // A cut through a multi-byte character decodes to U+FFFD; drop that partial character.
  return bytes.toString("utf8").replace(/\uFFFD$/, "");
}

/**
 * What a check that failed on a forge comes down to, for the agent's next brief: its name, what
 * the forge said of it, and from its log (when the forge keeps one) the failing tests and distinct
 * errors, or else the log's last lines; at most `maxBytes` UTF-8 bytes.
 */
export function compressCheck(
  check: { name: string; summary: string; log: string | undefined; url: string | null },
  maxBytes: number,
): string {
  const where = check.url ?? "the forge";
  const lines = [`check "${check.name}" failed${check.url ? ` (${check.url})` : ""}`];
  const said = plainText(check.summary).trim();
  if (said) lines.push(...said.split("\n").map((line) => clip(line.trimEnd())));
  if (check.log !== undefined) {
    const log = plainText(check.log)
      .split("\n")
      .map((line) => clip(line.trimEnd()));
    const tests = distinct(failingTests(log), (name) => [name]);
    const errors = distinct(errorBlocks(log), (block) => block).filter((block) => block.length > 0);
    if (tests.length > 0) lines.push("Failing tests:", ...tests.map((name) => `- ${name}`));
    if (errors.length > 0) lines.push("Errors:", ...errors.flatMap(renderBlock));
    if (tests.length + errors.length === 0)
      lines.push("Last lines of its log:", ...lastLines(log, FALLBACK_LINES));
  }
  return capLines(
    lines.map((text) => ({ text, logPath: where })),
    maxBytes,
  );
}
