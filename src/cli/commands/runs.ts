import { formatDuration } from "../../config/index.ts";
import { openProjectReadOnly } from "../../engine/index.ts";
import { listRuns, type Run } from "../../store/index.ts";
import { ago, color, formatTable, parseId, print, printJson } from "../output.ts";
import { printable } from "../../util/index.ts";

export async function runs(cwd: string, options: { item?: string; json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const list = project.store
      ? await listRuns(project.store.db, options.item ? { itemId: parseId(options.item, "item") } : {})
      : [];
    if (options.json) printJson(list);
    else if (list.length === 0) print("no runs yet — start one with `gaffer run <item>`");
    else
      print(
        formatTable(["RUN", "ITEM", "STATE", "ATTEMPT", "AGENT", "BRANCH", "TOOK", "STARTED"], list.map(row)),
      );
    return 0;
  } finally {
    await project.close();
  }
}

function row(run: Run): string[] {
  return [
    String(run.id),
    `#${run.itemId}`,
    stateColor(run.state),
    String(run.attempt),
    printable(run.agent),
    printable(run.branch),
    formatDuration((run.endedAt ?? Date.now()) - run.createdAt),
    ago(run.createdAt),
  ];
}

export function stateColor(state: string): string {
  if (state === "proposed") return color.green(state);
  if (state === "failed" || state === "gave-up") return color.red(state);
  if (state === "cancelled" || state === "interrupted") return color.yellow(state);
  return state;
}
