import { openProjectReadOnly } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import {
  type Db,
  sumUsage,
  totalUsage,
  type UsageGrouping,
  type UsageSum,
  type UsageTotal,
} from "../../store/index.ts";
import { formatTable, print, printJson } from "../output.ts";

const GROUPINGS: readonly UsageGrouping[] = ["run", "item", "day", "agent", "role"];
const NO_USAGE: UsageTotal = {
  attempts: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  costUsd: 0,
  unpriced: 0,
};

/** What the agents used and cost, per run (default), item, UTC day or agent, with a total. */
export async function cost(cwd: string, options: { by?: string; json?: boolean }): Promise<number> {
  const by = grouping(options.by);
  const project = await openProjectReadOnly(cwd);
  try {
    const { groups, total } = project.store
      ? await usageBy(project.store.db, by)
      : { groups: [], total: NO_USAGE };
    if (options.json) printJson({ by, groups, total });
    else if (total.attempts === 0) print("no usage yet");
    else
      print(
        formatTable(
          [by.toUpperCase(), "ATTEMPTS", "TOKENS IN", "TOKENS OUT", "COST"],
          table(by, groups, total),
        ),
      );
    return 0;
  } finally {
    await project.close();
  }
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
    label,
    String(sum.attempts),
    String(sum.inputTokens),
    String(sum.outputTokens),
    `$${sum.costUsd.toFixed(4)}${unpriced}`,
  ];
}
