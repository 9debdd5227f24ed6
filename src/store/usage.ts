import type { AliasableExpression, ExpressionBuilder } from "kysely";
import type { Db } from "./open.ts";
import type { Database, UsageSource } from "./schema.ts";

const DAY_MS = 86_400_000;

/** The role group of usage spent outside the factory (`gaffer run`). */
export const NO_ROLE = "(gaffer run)";

export interface NewUsage {
  runId: number;
  itemId: number;
  attempt: number;
  agent: string;
  role: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number | null;
  source: UsageSource;
}

export type UsageGrouping = "run" | "item" | "day" | "agent" | "role";

/** Usage summed over attempts. `unpriced` counts the attempts whose cost is unknown (not in `costUsd`). */
export interface UsageTotal {
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
  unpriced: number;
}

/** A group's sum: `group` is a run or item id, a UTC date (YYYY-MM-DD), an agent or a role name. */
export type UsageSum = UsageTotal & { group: number | string };

export async function recordUsage(db: Db, usage: NewUsage, now = Date.now()): Promise<void> {
  await db
    .insertInto("usage")
    .values({
      run_id: usage.runId,
      item_id: usage.itemId,
      attempt: usage.attempt,
      agent: usage.agent,
      role: usage.role,
      model: usage.model,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cached_tokens: usage.cachedTokens,
      cost_usd: usage.costUsd,
      source: usage.source,
      at: now,
    })
    .execute();
}

type UsageExpressions = ExpressionBuilder<Database, "usage">;

// Integer division of a bigint by an integer literal floors in SQLite and PostgreSQL alike.
const GROUP_KEYS: Record<UsageGrouping, (eb: UsageExpressions) => AliasableExpression<number | string>> = {
  run: (eb: UsageExpressions) => eb.ref("run_id"),
  item: (eb: UsageExpressions) => eb.ref("item_id"),
  agent: (eb: UsageExpressions) => eb.ref("agent"),
  role: (eb: UsageExpressions) => eb.fn.coalesce("role", eb.val(NO_ROLE)),
  day: (eb: UsageExpressions) => eb("at", "/", eb.lit(DAY_MS)),
};

/** Sums usage per run, item, UTC day or agent, in the group's order. */
export async function sumUsage(db: Db, by: UsageGrouping): Promise<UsageSum[]> {
  const rows = await db
    .selectFrom("usage")
    .select((eb) => [GROUP_KEYS[by](eb).as("key"), ...sums(eb)])
    .groupBy("key")
    .orderBy("key")
    .execute();
  return rows.map((row) => ({ group: groupLabel(by, row.key), ...toTotal(row) }));
}

/** Sums all usage, or one run's. */
export async function totalUsage(db: Db, scope: { runId?: number } = {}): Promise<UsageTotal> {
  let select = db.selectFrom("usage").select(sums);
  if (scope.runId !== undefined) select = select.where("run_id", "=", scope.runId);
  return toTotal(await select.executeTakeFirstOrThrow());
}

/** Midnight UTC of the day `now` falls on: the day budget's start. */
export function startOfUtcDay(now: number): number {
  return now - (now % DAY_MS);
}

/** USD spent (known costs only) by one run, one item, or everything since a time. */
export async function spentUsd(
  db: Db,
  scope: { runId?: number; itemId?: number; since?: number } = {},
): Promise<number> {
  let select = db
    .selectFrom("usage")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | null>("cost_usd"), eb.lit(0)).as("spent"));
  if (scope.runId !== undefined) select = select.where("run_id", "=", scope.runId);
  if (scope.itemId !== undefined) select = select.where("item_id", "=", scope.itemId);
  if (scope.since !== undefined) select = select.where("at", ">=", scope.since);
  return Number((await select.executeTakeFirstOrThrow()).spent);
}

function sums(eb: UsageExpressions) {
  const sum = (column: "input_tokens" | "output_tokens" | "cached_tokens" | "cost_usd") =>
    eb.fn.coalesce(eb.fn.sum<number | null>(column), eb.lit(0));
  const unpriced = eb.case().when("source", "=", "unpriced").then(eb.lit(1)).else(eb.lit(0)).end();
  return [
    eb.fn.countAll<number>().as("attempts"),
    sum("input_tokens").as("input_tokens"),
    sum("output_tokens").as("output_tokens"),
    sum("cached_tokens").as("cached_tokens"),
    sum("cost_usd").as("cost_usd"),
    eb.fn.coalesce(eb.fn.sum<number | null>(unpriced), eb.lit(0)).as("unpriced"),
  ] as const;
}

type UsageRowSums = Record<
  "attempts" | "input_tokens" | "output_tokens" | "cached_tokens" | "cost_usd" | "unpriced",
  unknown
>;

// PostgreSQL returns sums and counts of integers as strings.
function toTotal(row: UsageRowSums): UsageTotal {
  return {
    attempts: Number(row.attempts),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: Number(row.cached_tokens),
    costUsd: Number(row.cost_usd),
    unpriced: Number(row.unpriced),
  };
}

function groupLabel(by: UsageGrouping, key: unknown): number | string {
  if (by === "day") return new Date(Number(key) * DAY_MS).toISOString().slice(0, 10);
  return by === "agent" || by === "role" ? String(key) : Number(key);
}
