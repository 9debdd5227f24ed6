import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { type AuditFiles, appendAudit, canonicalJson, readAudit } from "../../src/vault/audit.ts";
import { tempDir } from "../helpers/tmp.ts";

async function auditLog(t: TestContext, records = 5): Promise<AuditFiles> {
  const dir = tempDir(t, "gaffer-audit-");
  const files = { log: join(dir, "vault", "audit.jsonl"), head: join(dir, "vault", "audit.head") };
  const types = ["requested", "approved", "fired", "executed"] as const;
  for (let i = 0; i < records; i++) {
    await appendAudit(
      files,
      {
        type: types[i % types.length] ?? "requested",
        action: `a-${Math.floor(i / 4)}`,
        actor: "gaffer",
        data: { n: i },
      },
      Date.UTC(2026, 0, 1, 0, i),
    );
  }
  return files;
}

const lines = (files: AuditFiles) => readFileSync(files.log, "utf8").trimEnd().split("\n");
const write = (files: AuditFiles, rows: string[]) => writeFileSync(files.log, `${rows.join("\n")}\n`);
const problems = (files: AuditFiles) =>
  readAudit(files).problems.map((p) => `${p.line ?? "head"}: ${p.message}`);

describe("vault audit log: a hash chain that shows any tampering", () => {
  it("chains every record to the one before it, and verifies", async (t) => {
    const files = await auditLog(t);
    const { entries, problems: found } = readAudit(files);
    assert.deepEqual(found, []);
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(entries[0]?.prev, "0".repeat(64));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prev, entries[i - 1]?.hash);
    assert.equal(entries[2]?.at, "2026-01-01T00:02:00.000Z");
    assert.deepEqual(JSON.parse(readFileSync(files.head, "utf8")), { seq: 5, hash: entries[4]?.hash });
  });

  it("finds an edited record", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    rows[2] = (rows[2] as string).replace('"n":2', '"n":20');
    write(files, rows);
    assert.deepEqual(problems(files), ["3: record 3 was edited: its content does not match its hash"]);
  });

  it("finds an edited record even when its hash was recomputed", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    const record = JSON.parse(rows[1] as string) as Record<string, unknown>;
    record.actor = "mallory";
    const { hash: _old, ...body } = record;
    record.hash = createHash("sha256").update(canonicalJson(body)).digest("hex");
    rows[1] = JSON.stringify(record);
    write(files, rows);
    assert.deepEqual(problems(files), [
      "3: record 3 does not chain from the record before it: one of them was rewritten or replaced",
    ]);
  });

  it("finds an inserted record", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    write(files, [...rows.slice(0, 3), rows[1] as string, ...rows.slice(3)]);
    assert.deepEqual(problems(files), ["4: record 2 follows record 3: inserted or moved"]);
  });

  it("finds a deleted record", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    write(files, [...rows.slice(0, 2), ...rows.slice(3)]);
    assert.deepEqual(problems(files), ["3: record 3 is missing: deleted"]);
  });

  it("finds records cut off the end, and a line cut in half", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    write(files, rows.slice(0, 3));
    assert.deepEqual(problems(files), ["head: the log ends at record 3 but its head is record 5: truncated"]);
    write(files, [...rows.slice(0, 4), (rows[4] as string).slice(0, 40)]);
    assert.deepEqual(problems(files), [
      "5: not an audit record (edited, or cut off mid-line)",
      "head: the log ends at record 4 but its head is record 5: truncated",
    ]);
    writeFileSync(files.log, "");
    assert.deepEqual(problems(files), ["head: the log ends at record 0 but its head is record 5: truncated"]);
  });

  it("finds a removed head, and records added after it", async (t) => {
    const files = await auditLog(t);
    const head = readFileSync(files.head, "utf8");
    rmSync(files.head);
    assert.deepEqual(problems(files), [
      "head: the head file is missing, so a cut-off end cannot be ruled out",
    ]);
    writeFileSync(files.head, head);
    const rows = lines(files);
    const last = JSON.parse(rows[4] as string) as Record<string, unknown>;
    const forged = {
      seq: 6,
      at: "2026-01-02T00:00:00.000Z",
      type: "approved",
      action: "a-9",
      actor: "x",
      data: {},
      prev: last.hash,
    };
    const hash = createHash("sha256").update(canonicalJson(forged)).digest("hex");
    write(files, [...rows, JSON.stringify({ ...forged, hash })]);
    assert.match(
      problems(files)[0] ?? "",
      /^head: the log ends at record 6 but its head is record 5 .*added or rewritten$/,
    );
  });

  it("refuses to extend a log that fails verification", async (t) => {
    const files = await auditLog(t);
    const rows = lines(files);
    write(files, [...rows.slice(0, 2), ...rows.slice(3)]);
    await assert.rejects(appendAudit(files, { type: "requested", action: "b", actor: "gaffer", data: {} }), {
      code: "integrity",
      message: "the vault's audit log fails verification at line 3: record 3 is missing: deleted",
    });
    assert.equal(lines(files).length, 4, "nothing was appended");
  });
});
