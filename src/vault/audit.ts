import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { appendFile, mkdir, open, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { GafferError } from "../errors.ts";

/**
 * The vault's audit log: one JSON record per line, appended and never rewritten. Each record
 * carries the hash of the one before it and its own hash over its content, so an edited,
 * inserted, deleted or reordered record breaks the chain. A separate head file holds the last
 * record's sequence number and hash, so cutting records off the end shows too.
 */

/** Record types: a request, its notification, the decision on it, its firing and its result. */
export type AuditType = "requested" | "notified" | "approved" | "rejected" | "expired" | "fired" | "executed";

export interface AuditEntry {
  seq: number;
  /** ISO time. */
  at: string;
  type: AuditType;
  /** The action's id. */
  action: string;
  /** Who did it: an identity, a role, or "gaffer" for what the policy decides by itself. */
  actor: string;
  data: Record<string, unknown>;
  /** The previous record's hash; GENESIS for the first. */
  prev: string;
  hash: string;
}

export type NewAuditEntry = Pick<AuditEntry, "type" | "action" | "actor" | "data">;

/** A break in the log, at a line of the log file when there is one. */
export interface AuditProblem {
  line: number | undefined;
  message: string;
}

export interface AuditFiles {
  log: string;
  head: string;
}

const GENESIS = "0".repeat(64);

/** Reads the log and checks its chain and its head; problems are returned, never thrown. */
export function readAudit(files: AuditFiles): { entries: AuditEntry[]; problems: AuditProblem[] } {
  const text = existsSync(files.log) ? readFileSync(files.log, "utf8") : "";
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const entries: AuditEntry[] = [];
  const problems: AuditProblem[] = [];
  let previous: AuditEntry | undefined;
  lines.forEach((line, index) => {
    const entry = parseEntry(line);
    if (!entry) {
      problems.push({ line: index + 1, message: "not an audit record (edited, or cut off mid-line)" });
      return;
    }
    const problem = chainProblem(entry, previous);
    if (problem) problems.push({ line: index + 1, message: problem });
    entries.push(entry);
    // A record from earlier in the chain (inserted, moved) does not move the chain back.
    if (entry.seq > (previous?.seq ?? 0)) previous = entry;
  });
  problems.push(...headProblems(files.head, previous));
  return { entries, problems };
}

/** The log's records, or a GafferError when it fails verification: gaffer acts on no broken log. */
export function verifiedAudit(files: AuditFiles): AuditEntry[] {
  const { entries, problems } = readAudit(files);
  const first = problems[0];
  if (first) {
    throw new GafferError(
      "integrity",
      `the vault's audit log fails verification${first.line ? ` at line ${first.line}` : ""}: ${first.message}`,
      "run `gaffer vault verify`, and restore .gaffer/vault/audit.jsonl from a backup before using the vault",
    );
  }
  return entries;
}

/**
 * Appends one record. The caller holds the vault's lock. A log that fails verification is not
 * extended: whatever broke it must be looked at first.
 */
export async function appendAudit(
  files: AuditFiles,
  next: NewAuditEntry,
  now = Date.now(),
): Promise<AuditEntry> {
  const last = verifiedAudit(files).at(-1);
  const body = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date(now).toISOString(),
    ...next,
    prev: last?.hash ?? GENESIS,
  };
  const entry: AuditEntry = { ...body, hash: hashOf(body) };
  await appendDurably(files.log, `${JSON.stringify(entry)}\n`);
  const staging = `${files.head}.${process.pid}.tmp`;
  await writeFile(staging, `${JSON.stringify({ seq: entry.seq, hash: entry.hash })}\n`);
  await rename(staging, files.head);
  return entry;
}

function chainProblem(entry: AuditEntry, previous: AuditEntry | undefined): string | undefined {
  const { hash, ...body } = entry;
  if (hashOf(body) !== hash) return `record ${entry.seq} was edited: its content does not match its hash`;
  const expected = (previous?.seq ?? 0) + 1;
  if (entry.seq === expected && entry.prev === (previous?.hash ?? GENESIS)) return undefined;
  if (entry.seq > expected) {
    const missing =
      entry.seq - expected === 1 ? `record ${expected} is` : `records ${expected}–${entry.seq - 1} are`;
    return `${missing} missing: deleted`;
  }
  if (entry.seq < expected) return `record ${entry.seq} follows record ${expected - 1}: inserted or moved`;
  return `record ${entry.seq} does not chain from the record before it: one of them was rewritten or replaced`;
}

function headProblems(headFile: string, last: AuditEntry | undefined): AuditProblem[] {
  if (!existsSync(headFile)) {
    return last
      ? [{ line: undefined, message: "the head file is missing, so a cut-off end cannot be ruled out" }]
      : [];
  }
  const head = parseHead(readFileSync(headFile, "utf8"));
  if (!head) return [{ line: undefined, message: "the head file is not a head record" }];
  if (last && head.seq === last.seq && head.hash === last.hash) return [];
  if (!last || head.seq > last.seq) {
    return [
      {
        line: undefined,
        message: `the log ends at record ${last?.seq ?? 0} but its head is record ${head.seq}: truncated`,
      },
    ];
  }
  return [
    {
      line: undefined,
      message: `the log ends at record ${last.seq} but its head is record ${head.seq} (${head.hash.slice(0, 12)}): records after the head were added or rewritten`,
    },
  ];
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<AuditEntry> | null;
    const fields = ["seq", "at", "type", "action", "actor", "data", "prev", "hash"] as const;
    if (value && typeof value === "object" && fields.every((field) => field in value))
      return value as AuditEntry;
  } catch {
    // not JSON: reported by the caller
  }
  return undefined;
}

function parseHead(text: string): { seq: number; hash: string } | undefined {
  try {
    const value = JSON.parse(text) as { seq?: unknown; hash?: unknown };
    if (typeof value.seq === "number" && typeof value.hash === "string")
      return { seq: value.seq, hash: value.hash };
  } catch {
    // reported by the caller
  }
  return undefined;
}

function hashOf(body: Omit<AuditEntry, "hash">): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

/** JSON with object keys sorted at every level, so a record hashes the same however it was parsed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of a value's canonical JSON: what the audit log records of a request. */
export function digest(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

async function appendDurably(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, "a");
  try {
    await appendFile(handle, line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
