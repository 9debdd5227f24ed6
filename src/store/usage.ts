import { type RawBuilder, sql } from "kysely";
import type { Db } from "./open.ts";
import type { UsageSource } from "./schema.ts";

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
  /** The attempt's model traffic was read by gaffer's proxy: this report is a cross-check only. */
  metered?: boolean;
}

/** One model request read from the wire. */
export interface NewModelRequest {
  runId: number;
  itemId: number;
  attempt: number;
  agent: string;
  role: string | null;
  host: string;
  api: string;
  model: string | null;
  status: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number | null;
}

export type UsageGrouping = "run" | "item" | "day" | "agent" | "role";

/**
 * Usage summed over attempts and model requests. An attempt whose traffic gaffer metered counts
 * as an attempt, its tokens and cost as the sum of its requests. `unpriced` counts what has no
 * known cost (attempts, or requests of a model without a price), which `costUsd` leaves out.
 */
export interface UsageTotal {
  attempts: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Input read from a cache. */
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
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
      metered: usage.metered ? 1 : 0,
      at: now,
    })
    .execute();
}

export async function recordModelRequest(db: Db, request: NewModelRequest, now = Date.now()): Promise<void> {
  await db
    .insertInto("model_requests")
    .values({
      run_id: request.runId,
      item_id: request.itemId,
      attempt: request.attempt,
      agent: request.agent,
      role: request.role,
      host: request.host,
      api: request.api,
      model: request.model,
      status: request.status,
      input_tokens: request.inputTokens,
      output_tokens: request.outputTokens,
      cache_read_tokens: request.cacheReadTokens,
      cache_write_tokens: request.cacheWriteTokens,
      reasoning_tokens: request.reasoningTokens,
      cost_usd: request.costUsd,
      at: now,
    })
    .execute();
}

const COUNTS = [
  "attempts",
  "requests",
  "input_tokens",
  "output_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "unpriced",
] as const;

/**
 * Every row that spends, in one shape: each attempt's own report (its tokens and cost left out
 * when its traffic was metered) and each metered request.
 */
function spending(db: Db) {
  const unlessMetered = (column: string) =>
    sql<number | null>`case when metered = 1 then null else ${sql.ref(column)} end`;
  const attempts = db
    .selectFrom("usage")
    .select([
      "run_id",
      "item_id",
      "agent",
      "role",
      "at",
      sql<number>`1`.as("attempts"),
      sql<number>`0`.as("requests"),
      unlessMetered("input_tokens").as("input_tokens"),
      unlessMetered("output_tokens").as("output_tokens"),
      unlessMetered("cached_tokens").as("cached_tokens"),
      sql<number>`0`.as("cache_write_tokens"),
      sql<number>`0`.as("reasoning_tokens"),
      unlessMetered("cost_usd").as("cost_usd"),
      sql<number>`case when metered = 0 and source = 'unpriced' then 1 else 0 end`.as("unpriced"),
    ]);
  const requests = db
    .selectFrom("model_requests")
    .select([
      "run_id",
      "item_id",
      "agent",
      "role",
      "at",
      sql<number>`0`.as("attempts"),
      sql<number>`1`.as("requests"),
      sql<number | null>`input_tokens`.as("input_tokens"),
      sql<number | null>`output_tokens`.as("output_tokens"),
      sql<number | null>`cache_read_tokens`.as("cached_tokens"),
      "cache_write_tokens",
      "reasoning_tokens",
      "cost_usd",
      sql<number>`case when cost_usd is null then 1 else 0 end`.as("unpriced"),
    ]);
  return db.selectFrom(attempts.unionAll(requests).as("spending"));
}

type Spending = ReturnType<typeof spending>;

// Integer division of a bigint by an integer literal floors in SQLite and PostgreSQL alike.
const GROUP_KEYS: Record<UsageGrouping, RawBuilder<number | string>> = {
  run: sql.ref("run_id"),
  item: sql.ref("item_id"),
  agent: sql.ref("agent"),
  role: sql<string>`coalesce(role, ${NO_ROLE})`,
  day: sql<number>`at / ${sql.lit(DAY_MS)}`,
};

/** Sums usage per run, item, UTC day, agent or role, in the group's order. */
export async function sumUsage(db: Db, by: UsageGrouping): Promise<UsageSum[]> {
  const rows = await sums(spending(db))
    .select(GROUP_KEYS[by].as("key"))
    .groupBy("key")
    .orderBy("key")
    .execute();
  return rows.map((row) => ({ group: groupLabel(by, row.key), ...toTotal(row) }));
}

/** Sums all usage, or one run's. */
export async function totalUsage(db: Db, scope: { runId?: number } = {}): Promise<UsageTotal> {
  let select = spending(db);
  if (scope.runId !== undefined) select = select.where("run_id", "=", scope.runId);
  return toTotal(await sums(select).executeTakeFirstOrThrow());
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
  let select = spending(db).select(sql<number>`coalesce(sum(cost_usd), 0)`.as("spent"));
  if (scope.runId !== undefined) select = select.where("run_id", "=", scope.runId);
  if (scope.itemId !== undefined) select = select.where("item_id", "=", scope.itemId);
  if (scope.since !== undefined) select = select.where("at", ">=", scope.since);
  return Number((await select.executeTakeFirstOrThrow()).spent);
}

/** An attempt whose agent reported other usage than its requests add up to. */
export interface UsageMismatch {
  runId: number;
  attempt: number;
  agent: string;
  /** What the agent said: its tokens (every class together) and its cost (null: none). */
  reported: { tokens: number; costUsd: number | null };
  /** What gaffer's proxy read. */
  wire: { tokens: number; costUsd: number; requests: number };
}

/** The metered attempts whose agent's own report differs from the wire (see reportDiffers). */
export async function usageMismatches(db: Db): Promise<UsageMismatch[]> {
  const reports = await db
    .selectFrom("usage")
    .select(["run_id", "attempt", "agent", "input_tokens", "output_tokens", "cached_tokens", "cost_usd"])
    .where("metered", "=", 1)
    .orderBy("run_id")
    .orderBy("attempt")
    .execute();
  const wire = await db
    .selectFrom("model_requests")
    .select((eb) => [
      "run_id",
      "attempt",
      eb.fn.countAll<number>().as("requests"),
      sql<number>`sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens + reasoning_tokens)`.as(
        "tokens",
      ),
      sql<number>`coalesce(sum(cost_usd), 0)`.as("cost"),
    ])
    .groupBy(["run_id", "attempt"])
    .execute();
  const byAttempt = new Map(wire.map((row) => [`${row.run_id}/${row.attempt}`, row]));
  return reports.flatMap((report) => {
    const tokens = report.input_tokens + report.output_tokens + report.cached_tokens;
    const read = byAttempt.get(`${report.run_id}/${report.attempt}`);
    const measured = {
      tokens: Number(read?.tokens ?? 0),
      costUsd: Number(read?.cost ?? 0),
      requests: Number(read?.requests ?? 0),
    };
    if (!reportDiffers({ tokens, costUsd: report.cost_usd }, measured)) return [];
    return [
      {
        runId: report.run_id,
        attempt: report.attempt,
        agent: report.agent,
        reported: { tokens, costUsd: report.cost_usd },
        wire: measured,
      },
    ];
  });
}

/**
 * Whether an agent's own report of an attempt differs from the wire: in tokens, or by more than a
 * hundredth of a cent. An agent that reported nothing has nothing to check.
 */
export function reportDiffers(
  reported: UsageMismatch["reported"],
  wire: Pick<UsageMismatch["wire"], "tokens" | "costUsd">,
): boolean {
  if (reported.tokens === 0 && reported.costUsd === null) return false;
  const costDiffers = reported.costUsd !== null && Math.abs(reported.costUsd - wire.costUsd) > 0.0001;
  return reported.tokens !== wire.tokens || costDiffers;
}

function sums<S extends Spending>(select: S) {
  return select.select([
    ...COUNTS.map((column) => sql<number>`coalesce(sum(${sql.ref(column)}), 0)`.as(column)),
    sql<number>`coalesce(sum(cost_usd), 0)`.as("cost_usd"),
  ]);
}

type UsageRowSums = Record<(typeof COUNTS)[number] | "cost_usd", unknown>;

// PostgreSQL returns sums and counts of integers as strings.
function toTotal(row: UsageRowSums): UsageTotal {
  return {
    attempts: Number(row.attempts),
    requests: Number(row.requests),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: Number(row.cached_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costUsd: Number(row.cost_usd),
    unpriced: Number(row.unpriced),
  };
}

function groupLabel(by: UsageGrouping, key: unknown): number | string {
  if (by === "day") return new Date(Number(key) * DAY_MS).toISOString().slice(0, 10);
  return by === "agent" || by === "role" ? String(key) : Number(key);
}
