import { openProjectReadOnly } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import {
  type Db,
  sumUsage,
  totalUsage,
  type UsageGrouping,
  type UsageMismatch,
  usageMismatches,
  type UsageSum,
  type UsageTotal,
} from "../../store/index.ts";
import { formatTable, print, printJson } from "../output.ts";
import { printable } from "../../util/index.ts";

const GROUPINGS: readonly UsageGrouping[] = ["run", "item", "day", "agent", "role"];
const NO_USAGE: UsageTotal = {
  attempts: 0,
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costUsd: 0,
  unpriced: 0,
};

const COLUMNS = ["ATTEMPTS", "REQUESTS", "IN", "OUT", "CACHE READ", "CACHE WRITE", "REASONING", "COST"];

/**
 * What the agents used and cost, per run (default), item, UTC day, agent or role, with a total:
 * for an attempt whose model traffic gaffer's proxy read, every request it served (side requests
 * included); otherwise what the agent reported. Then the attempts whose agent reported otherwise.
 */
export async function cost(cwd: string, options: { by?: string; json?: boolean }): Promise<number> {
  const by = grouping(options.by);
  const project = await openProjectReadOnly(cwd);
  try {
    const db = project.store?.db;
    const { groups, total } = db ? await usageBy(db, by) : { groups: [], total: NO_USAGE };
    const mismatches = db ? await usageMismatches(db) : [];
    if (options.json) printJson({ by, groups, total, mismatches });
    else if (total.attempts === 0 && total.requests === 0) print("no usage yet");
    else {
      print(formatTable([by.toUpperCase(), ...COLUMNS], table(by, groups, total)));
      if (mismatches.length > 0) {
        print();
        print("the agents' own reports differ from what gaffer read on the wire:");
        for (const mismatch of mismatches) print(`  ${mismatchLine(mismatch)}`);
      }
    }
    return 0;
  } finally {
    await project.close();
  }
}

function mismatchLine({ runId, attempt, agent, reported, wire }: UsageMismatch): string {
  const money = (usd: number | null) => (usd === null ? "no cost" : `$${usd.toFixed(4)}`);
  const requests = `${wire.requests} request${wire.requests === 1 ? "" : "s"}`;
  return `run ${runId} attempt ${attempt} (${printable(agent)}): reported ${reported.tokens} tokens, ${money(reported.costUsd)}; wire ${wire.tokens} tokens, ${money(wire.costUsd)} in ${requests}`;
}

function grouping(by: string | undefined): UsageGrouping {
  if (by === undefined) return "run";
  if ((GROUPINGS as readonly string[]).includes(by)) return by as UsageGrouping;
  throw new GafferError(
    "usage",
    `\`--by ${by}\`: cannot group usage by that`,
    "group by run, item, day, agent or role",
  );
}

async function usageBy(db: Db, by: UsageGrouping): Promise<{ groups: UsageSum[]; total: UsageTotal }> {
  return { groups: await sumUsage(db, by), total: await totalUsage(db) };
}

function table(by: UsageGrouping, groups: UsageSum[], total: UsageTotal): string[][] {
  const label = (group: number | string) => (by === "item" ? `#${group}` : String(group));
  return [...groups.map((sum) => row(label(sum.group), sum)), row("total", total)];
}

function row(label: string, sum: UsageTotal): string[] {
  const unpriced = sum.unpriced > 0 ? ` + ${sum.unpriced} unpriced` : "";
  return [
    printable(label),
    String(sum.attempts),
    String(sum.requests),
    String(sum.inputTokens),
    String(sum.outputTokens),
    String(sum.cachedTokens),
    String(sum.cacheWriteTokens),
    String(sum.reasoningTokens),
    `$${sum.costUsd.toFixed(4)}${unpriced}`,
  ];
}
