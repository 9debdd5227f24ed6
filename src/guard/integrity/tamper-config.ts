import type { ObjectReader } from "../../workspace/index.ts";
import type { RawChange } from "./raw-diff.ts";
import { blobText, type ChangedLines, type NumberedLine, splitLines } from "./tamper-diff.ts";
import {
  isTestConfigPath,
  mayHoldThresholds,
  PACKAGE_TEST_KEYS,
  testSectionsOf,
  thresholdsIn,
} from "./tamper-patterns.ts";
import type { Finding } from "./types.ts";

const MAX_EVIDENCE_LINES = 20;
const SECTION_HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$/;

/** Changes to how tests run or how much coverage they need. */
export async function configFindings(
  ws: ObjectReader,
  change: RawChange,
  lines: ChangedLines,
): Promise<Finding[]> {
  const file = change.newPath || change.oldPath;
  const findings = mayHoldThresholds(file) ? loweredThresholds(file, lines) : [];
  const sections = testSectionsOf(file);
  if (isTestConfigPath(change.oldPath) || isTestConfigPath(change.newPath)) {
    findings.push(configChanged(file, change.status, lines));
  } else if (sections) {
    findings.push(...(await sectionChanges(ws, change, lines, sections)));
  } else if (file.split("/").at(-1) === "package.json") {
    findings.push(...(await packageChanges(ws, change)));
  }
  return findings;
}

export function tamperFinding(rule: string, message: string, evidence: Record<string, unknown>): Finding {
  return { check: "tamper", rule, severity: "flag", message, evidence };
}

/** Thresholds whose value went down, or that were removed without a replacement. */
function loweredThresholds(file: string, lines: ChangedLines): Finding[] {
  const before = thresholdsByKey(lines.removed);
  const after = thresholdsByKey(lines.added);
  const findings: Finding[] = [];
  for (const [key, olds] of before) {
    const news = after.get(key) ?? [];
    olds.forEach((old, i) => {
      const now = news[i];
      if (now && now.value >= old.value) return;
      const to = now?.value ?? null;
      findings.push(
        tamperFinding(
          "coverage-lowered",
          `${file}: coverage threshold ${key} lowered from ${old.value} to ${to ?? "nothing"}`,
          {
            file,
            key,
            from: old.value,
            to,
            line: now?.line ?? old.line,
            side: now ? "new" : "old",
            text: (now ?? old).text,
          },
        ),
      );
    });
  }
  return findings;
}

function thresholdsByKey(lines: NumberedLine[]): Map<string, (NumberedLine & { value: number })[]> {
  const byKey = new Map<string, (NumberedLine & { value: number })[]>();
  for (const line of lines) {
    for (const { key, value } of thresholdsIn(line.text)) {
      byKey.set(key, [...(byKey.get(key) ?? []), { ...line, value }]);
    }
  }
  return byKey;
}

function configChanged(file: string, status: string, lines: ChangedLines, sections?: string[]): Finding {
  return tamperFinding("test-config-changed", `${file}: test configuration changed`, {
    file,
    status,
    ...(sections ? { sections } : {}),
    lines: evidenceLines(lines),
  });
}

/** Changed lines inside the test and coverage sections of setup.cfg, tox.ini or pyproject.toml. */
async function sectionChanges(
  ws: ObjectReader,
  change: RawChange,
  lines: ChangedLines,
  pattern: RegExp,
): Promise<Finding[]> {
  const oldSections = sectionPerLine(await blobText(ws, change.oldOid));
  const newSections = sectionPerLine(await blobText(ws, change.newOid));
  const inTests = (sections: string[]) => (entry: NumberedLine) =>
    pattern.test(sections[entry.line - 1] ?? "");
  const removed = lines.removed.filter(inTests(oldSections));
  const added = lines.added.filter(inTests(newSections));
  if (removed.length + added.length === 0) return [];
  const sections = [
    ...new Set([
      ...removed.map((l) => oldSections[l.line - 1]),
      ...added.map((l) => newSections[l.line - 1]),
    ]),
  ];
  return [
    configChanged(change.newPath || change.oldPath, change.status, { removed, added }, sections.map(String)),
  ];
}

/** The section (`[name]` header) each line of an INI or TOML text belongs to; "" before the first. */
function sectionPerLine(text: string): string[] {
  let section = "";
  return splitLines(text).map((line) => {
    section = SECTION_HEADER.exec(line)?.[1] ?? section;
    return section;
  });
}

/** A changed `test` script, or changed runner and coverage settings, in package.json. */
async function packageChanges(ws: ObjectReader, change: RawChange): Promise<Finding[]> {
  const before = parseJson(await blobText(ws, change.oldOid));
  const after = parseJson(await blobText(ws, change.newOid));
  const file = change.newPath || change.oldPath;
  const findings: Finding[] = [];
  const was = field(field(before, "scripts"), "test");
  const now = field(field(after, "scripts"), "test");
  if (!sameJson(was, now)) {
    findings.push(
      tamperFinding("test-script-changed", `${file}: the test script changed`, { file, was, now }),
    );
  }
  const keys = PACKAGE_TEST_KEYS.filter((key) => !sameJson(field(before, key), field(after, key)));
  if (keys.length > 0) {
    findings.push(
      tamperFinding("test-config-changed", `${file}: test configuration changed (${keys.join(", ")})`, {
        file,
        keys,
      }),
    );
  }
  return findings;
}

function evidenceLines(lines: ChangedLines): { side: "old" | "new"; line: number; text: string }[] {
  return [
    ...lines.removed.map((entry) => ({ side: "old" as const, ...entry })),
    ...lines.added.map((entry) => ({ side: "new" as const, ...entry })),
  ].slice(0, MAX_EVIDENCE_LINES);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
