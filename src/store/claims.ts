import { EVENTS } from "./event-catalogue.ts";
import { appendEvent } from "./events.ts";
import { type Db, inTransaction } from "./open.ts";
import type { ClaimsTable } from "./schema.ts";

export type Duty = ClaimsTable["duty"];

export interface Claim {
  itemId: number;
  role: string;
  duty: Duty;
  runId: number | null;
  holder: string;
  heartbeatAt: number;
  expiresAt: number;
}

/**
 * Claims an item for a role until `now + leaseMs`. False when someone holds it; a lapsed claim is
 * taken over in the same transaction (its holder is gone or too slow to renew).
 */
export async function claimItem(
  db: Db,
  claim: { itemId: number; role: string; duty: Duty; runId?: number; holder: string; leaseMs: number },
  now = Date.now(),
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom("claims")
      .selectAll()
      .where("item_id", "=", claim.itemId)
      .executeTakeFirst();
    if (current && Number(current.expires_at) > now) return false;
    if (current) await trx.deleteFrom("claims").where("item_id", "=", claim.itemId).execute();
    await trx
      .insertInto("claims")
      .values({
        item_id: claim.itemId,
        role: claim.role,
        duty: claim.duty,
        run_id: claim.runId ?? null,
        holder: claim.holder,
        heartbeat_at: now,
        expires_at: now + claim.leaseMs,
        created_at: now,
      })
      .execute();
    await appendEvent(
      trx,
      { itemId: claim.itemId, runId: claim.runId },
      EVENTS.claimTaken,
      {
        role: claim.role,
        duty: claim.duty,
        holder: claim.holder,
        ...(current && { lapsed: current.holder }),
      },
      now,
    );
    return true;
  });
}

/** Renews a claim the holder still has; false when it lapsed and someone else took it. */
export async function renewClaim(
  db: Db,
  itemId: number,
  holder: string,
  leaseMs: number,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable("claims")
    .set({ heartbeat_at: now, expires_at: now + leaseMs })
    .where("item_id", "=", itemId)
    .where("holder", "=", holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Hands a claim to another holder (the supervisor claims, its worker process holds). */
export async function transferClaim(db: Db, itemId: number, from: string, to: string): Promise<boolean> {
  const result = await db
    .updateTable("claims")
    .set({ holder: to })
    .where("item_id", "=", itemId)
    .where("holder", "=", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function releaseClaim(
  db: Db,
  itemId: number,
  holder: string,
  reason: string,
  now = Date.now(),
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const result = await trx
      .deleteFrom("claims")
      .where("item_id", "=", itemId)
      .where("holder", "=", holder)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return;
    await appendEvent(trx, { itemId }, EVENTS.claimReleased, { holder, reason }, now);
  });
}

/** Every claim whose lease lapsed, removed with an event each: their items are ready again. */
export async function expireClaims(db: Db, now = Date.now()): Promise<Claim[]> {
  // Asked every tick: only a lapse takes the write lock, which the runs' own writes wait for.
  const any = await db
    .selectFrom("claims")
    .select("item_id")
    .where("expires_at", "<=", now)
    .limit(1)
    .execute();
  if (any.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const lapsed = (await trx.selectFrom("claims").selectAll().where("expires_at", "<=", now).execute()).map(
      toClaim,
    );
    for (const claim of lapsed) {
      await trx.deleteFrom("claims").where("item_id", "=", claim.itemId).execute();
      await appendEvent(
        trx,
        { itemId: claim.itemId, runId: claim.runId ?? undefined },
        EVENTS.claimExpired,
        { role: claim.role, holder: claim.holder, heartbeatAt: claim.heartbeatAt },
        now,
      );
    }
    return lapsed;
  });
}

export async function listClaims(db: Db): Promise<Claim[]> {
  return (await db.selectFrom("claims").selectAll().orderBy("item_id").execute()).map(toClaim);
}

function toClaim(row: ClaimsTable): Claim {
  return {
    itemId: row.item_id,
    role: row.role,
    duty: row.duty,
    runId: row.run_id,
    holder: row.holder,
    heartbeatAt: Number(row.heartbeat_at),
    expiresAt: Number(row.expires_at),
  };
}
