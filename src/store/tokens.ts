import { createHash, randomBytes } from "node:crypto";
import { GafferError } from "../errors.ts";
import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";

/** A dashboard token as stored: its secret is never kept, only the secret's hash. */
export interface Token {
  id: number;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

const TOKEN_PREFIX = "gft_";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

function hashOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * Makes a token named `name` (who acts with it: the vault checks it against its approvers) and
 * returns its secret, which is shown once. A name has at most one live token.
 */
export async function createToken(
  db: Db,
  name: string,
  now = Date.now(),
): Promise<{ token: Token; secret: string }> {
  if (!NAME.test(name)) {
    throw new GafferError(
      "usage",
      `token name "${name}" is not allowed`,
      "use 1-64 letters, digits and . _ @ + - (e.g. your approver email)",
    );
  }
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return inTransaction(db, async (trx) => {
    const live = await trx
      .selectFrom("tokens")
      .select("id")
      .where("name", "=", name)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (live) {
      throw new GafferError(
        "usage",
        `a live token named "${name}" already exists`,
        `revoke it first: gaffer token revoke ${name}`,
      );
    }
    const row = await trx
      .insertInto("tokens")
      .values({ name, hash: hashOf(secret), created_at: now, revoked_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {}, EVENTS.tokenCreated, { name }, now);
    return { token: { id: Number(row.id), name, createdAt: now, revokedAt: null }, secret };
  });
}

export async function listTokens(db: Db): Promise<Token[]> {
  const rows = await db.selectFrom("tokens").selectAll().orderBy("id", "asc").execute();
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  }));
}

/** Revokes the live token named `name`; its secret stops working at once. */
export async function revokeToken(db: Db, name: string, now = Date.now()): Promise<Token> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("tokens")
      .selectAll()
      .where("name", "=", name)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (!row)
      throw new GafferError("usage", `no live token named "${name}"`, "`gaffer token list` shows them");
    await trx.updateTable("tokens").set({ revoked_at: now }).where("id", "=", row.id).execute();
    await appendEvent(trx, {}, EVENTS.tokenRevoked, { name }, now);
    return { id: Number(row.id), name, createdAt: Number(row.created_at), revokedAt: now };
  });
}

/** The live token whose secret this is, or undefined (unknown, malformed or revoked). */
export async function findLiveToken(db: Db, secret: string): Promise<Token | undefined> {
  if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await db
    .selectFrom("tokens")
    .selectAll()
    .where("hash", "=", hashOf(secret))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row && { id: Number(row.id), name: row.name, createdAt: Number(row.created_at), revokedAt: null };
}
