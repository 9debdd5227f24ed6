import type { ObjectReader } from "../../workspace/index.ts";
import { commitsBetween } from "./paths.ts";
import { type RawChange, rawDiff } from "./raw-diff.ts";
import { configFindings, tamperFinding } from "./tamper-config.ts";
import { gateFindings } from "./tamper-gate.ts";
import { type ChangedLines, changedLines, type NumberedLine } from "./tamper-diff.ts";
import {
  isAssertion,
  isRunnableTestRename,
  isTestPath,
  markerOf,
  mayHoldThresholds,
} from "./tamper-patterns.ts";
import type { Finding, FindingSeverity, Subject } from "./types.ts";

export interface TamperOptions {
  /** The severity given to every finding; "flag" unless the project's policy says "block". */
  severity?: FindingSeverity;
  /** The gate's command lines: the scripts, targets and runner files they name are protected too. */
  gate?: readonly string[];
}

const MAX_EVIDENCE_LINES = 20;
const BLOB_MODES = new Set(["100644", "100755"]);

/**
 * Looks for ways the change from `base` to each commit of the run (the last holding its
 * uncommitted edits and untracked files) could make tests pass without the work being done:
 * deleted or renamed test files, removed assertions, added skip/only markers, loosened coverage
 * thresholds, changed test configuration, and changed scripts, targets or runner files the gate
 * runs. An intermediate commit counts as much as the last:
 * each is published with the proposal.
 */
export async function detectTestTampering(
  subject: Subject,
  base: string,
  options: TamperOptions = {},
): Promise<Finding[]> {
  const findings = new Map<string, Finding>();
  for (const commit of await commitsBetween(subject.objects, base, subject.head)) {
    const changes = await rawDiff(subject.objects, base, commit, { renames: true });
    const found: Finding[] = [];
    for (const change of changes) found.push(...(await changeFindings(subject.objects, change)));
    found.push(...(await gateFindings(subject.objects, base, options.gate ?? [], changes)));
    for (const finding of found) findings.set(`${finding.rule}\0${finding.message}`, finding);
  }
  return [...findings.values()].map((finding) => ({ ...finding, severity: options.severity ?? "flag" }));
}

async function changeFindings(ws: ObjectReader, change: RawChange): Promise<Finding[]> {
  const wasTest = change.oldPath !== "" && isTestPath(change.oldPath);
  if (wasTest && !BLOB_MODES.has(change.newMode)) {
    const message = `test file ${change.oldPath} was deleted`;
    return [tamperFinding("test-deleted", message, { file: change.oldPath, newMode: change.newMode })];
  }
  if (change.status === "R" && wasTest && !isRunnableTestRename(change.oldPath, change.newPath)) {
    const message = `test file ${change.oldPath} was renamed to ${change.newPath}, which no runner picks up`;
    return [tamperFinding("test-renamed", message, { from: change.oldPath, to: change.newPath })];
  }
  if (!isRelevant(change) || !isBlobChange(change)) return [];
  const lines = await changedLines(ws, change);
  const findings = wasTest || isTestPath(change.newPath) ? testFileFindings(change, lines) : [];
  return [...findings, ...(await configFindings(ws, change, lines))];
}

function isRelevant(change: RawChange): boolean {
  return [change.oldPath, change.newPath]
    .filter((path) => path !== "")
    .some((path) => isTestPath(path) || mayHoldThresholds(path));
}

/** Regular files on both sides (or one, for an addition or deletion): no symlinks or submodules. */
function isBlobChange(change: RawChange): boolean {
  return [change.oldMode, change.newMode].every((mode) => BLOB_MODES.has(mode) || /^0+$/.test(mode));
}

function testFileFindings(change: RawChange, lines: ChangedLines): Finding[] {
  const file = change.newPath || change.oldPath;
  const findings = markerFindings(file, lines);
  const removed = lines.removed.filter((entry) => isAssertion(entry.text));
  const added = lines.added.filter((entry) => isAssertion(entry.text)).length;
  if (removed.length > added) {
    const message = `${file}: ${removed.length - added} assertion(s) removed (${removed.length} removed, ${added} added)`;
    findings.push(
      tamperFinding("assertions-removed", message, {
        file,
        removed: removed.length,
        added,
        lines: removed.slice(0, MAX_EVIDENCE_LINES).map((entry) => ({ side: "old", ...entry })),
      }),
    );
  }
  return findings;
}

/** Added skip or focus markers, beyond those the change removed (so editing a skipped test is not one). */
function markerFindings(file: string, lines: ChangedLines): Finding[] {
  const findings: Finding[] = [];
  for (const kind of ["skip", "focus"] as const) {
    const removed = lines.removed.filter((entry) => markerOf(entry.text) === kind).length;
    const added = lines.added.filter((entry) => markerOf(entry.text) === kind);
    if (added.length > removed) findings.push(...added.map((entry) => markerFinding(file, kind, entry)));
  }
  return findings;
}

function markerFinding(file: string, kind: "skip" | "focus", entry: NumberedLine): Finding {
  const what = kind === "skip" ? "skips or defers a test" : "runs only some tests";
  const rule = kind === "skip" ? "test-skipped" : "test-focused";
  return tamperFinding(rule, `${file}:${entry.line} ${what}: ${entry.text.trim()}`, {
    file,
    side: "new",
    ...entry,
  });
}
