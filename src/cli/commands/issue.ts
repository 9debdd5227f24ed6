import { readFileSync } from "node:fs";
import { openProject, openProjectReadOnly } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import { importMarkdownIssues } from "../../intake/index.ts";
import {
  addItem,
  type Db,
  editItem,
  EVENTS,
  eventsOfKind,
  getItem,
  type Item,
  listEvents,
  listItems,
  listRuns,
  setItemState,
  trackerLinkOf,
} from "../../store/index.ts";
import { ago, color, formatTable, parseId, print, printJson } from "../output.ts";
import { requireStore } from "./read-store.ts";
import { printable } from "../../util/index.ts";

interface FieldOptions {
  body?: string;
  bodyFile?: string;
  label?: string[];
  priority?: string;
  dependsOn?: string[];
  json?: boolean;
}

export async function issueAdd(cwd: string, title: string, options: FieldOptions): Promise<number> {
  const project = await openProject(cwd);
  try {
    const item = await addItem(project.store.db, {
      title: nonEmpty(title),
      body: body(options) ?? "",
      labels: options.label ?? [],
      priority: priority(options.priority ?? "0"),
      dependsOn: (options.dependsOn ?? []).map((id) => parseId(id, "item")),
    });
    if (options.json) printJson(item);
    else print(`added #${item.id} ${printable(item.title)}`);
    return 0;
  } finally {
    await project.close();
  }
}

export async function issueList(
  cwd: string,
  options: { all?: boolean; label?: string; json?: boolean },
): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const state = options.all ? "all" : (["open", "parked"] as const);
    const items = project.store
      ? await listItems(project.store.db, { state, ...(options.label && { label: options.label }) })
      : [];
    if (options.json) {
      printJson(items);
    } else if (items.length === 0) {
      print(options.all ? 'no items yet — add one with `gaffer issue add "<title>"`' : "no open items");
    } else {
      print(
        formatTable(
          ["ID", "PRI", "STATE", "TITLE", "LABELS", "UPDATED"],
          items.map((i) => [
            `#${i.id}`,
            String(i.priority),
            i.state,
            printable(i.title),
            printable(i.labels.join(",")),
            ago(i.updatedAt),
          ]),
        ),
      );
    }
    return 0;
  } finally {
    await project.close();
  }
}

export async function issueShow(cwd: string, id: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const db = requireStore(project, "item", id);
    const item = await getItem(db, parseId(id, "item"));
    const runs = await listRuns(db, { itemId: item.id });
    const closing = item.state === "closed" ? await closingNote(db, item.id) : undefined;
    const link = await trackerLinkOf(db, item.id);
    if (options.json) {
      printJson({
        ...item,
        ...(closing !== undefined && { closedNote: closing }),
        ...(link && { issue: { number: link.number, url: link.url, reason: link.reason } }),
        runs: runs.map((r) => ({ id: r.id, state: r.state, branch: r.branch, reason: r.reason })),
      });
      return 0;
    }
    print(color.bold(`#${item.id} ${printable(item.title)}`));
    print(
      `state: ${item.state}   priority: ${item.priority}   labels: ${printable(item.labels.join(", ")) || "-"}`,
    );
    if (item.dependsOn.length) print(`depends on: ${item.dependsOn.map((d) => `#${d}`).join(", ")}`);
    if (link)
      print(
        `issue #${link.number}: ${printable(link.url)}${link.reason ? `   (${printable(link.reason)})` : ""}`,
      );
    else if (item.source) print(`imported from: ${printable(item.source)}`);
    if (closing) print(`closed: ${printable(closing)}`);
    print();
    print(item.body ? printable(item.body, "text") : color.dim("(no body)"));
    if (runs.length) {
      print();
      print(
        formatTable(
          ["RUN", "STATE", "BRANCH", "REASON"],
          runs.map((r) => [String(r.id), r.state, printable(r.branch), printable(r.reason ?? "")]),
        ),
      );
    }
    return 0;
  } finally {
    await project.close();
  }
}

/** What the latest close of an item said (a merge names its commit), if anything. */
async function closingNote(db: Db, itemId: number): Promise<string | undefined> {
  return eventsOfKind(await listEvents(db, { itemId }), EVENTS.itemClosed).at(-1)?.data.note;
}

export async function issueEdit(
  cwd: string,
  id: string,
  options: FieldOptions & { title?: string; open?: boolean },
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const itemId = parseId(id, "item");
    const text = body(options);
    const changes = {
      ...(options.title !== undefined && { title: nonEmpty(options.title) }),
      ...(text !== undefined && { body: text }),
      ...(options.label !== undefined && { labels: options.label }),
      ...(options.priority !== undefined && { priority: priority(options.priority) }),
      ...(options.dependsOn !== undefined && { dependsOn: options.dependsOn.map((d) => parseId(d, "item")) }),
    };
    if (Object.keys(changes).length === 0 && !options.open) {
      throw new GafferError(
        "usage",
        "nothing to change",
        "pass --title, --body, --label, --priority, --depends-on or --open",
      );
    }
    let item: Item = Object.keys(changes).length
      ? await editItem(project.store.db, itemId, changes)
      : await getItem(project.store.db, itemId);
    if (options.open) item = await setItemState(project.store.db, itemId, "open");
    if (options.json) printJson(item);
    else print(`updated #${item.id} ${printable(item.title)}`);
    return 0;
  } finally {
    await project.close();
  }
}

export async function issueClose(cwd: string, id: string): Promise<number> {
  const project = await openProject(cwd);
  try {
    const item = await setItemState(project.store.db, parseId(id, "item"), "closed");
    print(`closed #${item.id} ${printable(item.title)}`);
    return 0;
  } finally {
    await project.close();
  }
}

export async function issueImport(
  cwd: string,
  path: string,
  options: { label?: string[]; json?: boolean },
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const result = await importMarkdownIssues(project.store.db, path, project.root, {
      labels: options.label ?? [],
    });
    if (options.json) {
      printJson(result);
      return 0;
    }
    for (const item of result.created)
      print(`added #${item.id} ${printable(item.title)}  ${color.dim(`(${printable(item.source ?? "")})`)}`);
    for (const skip of result.skipped)
      print(color.dim(`skipped ${printable(skip.file)}: already imported as #${skip.itemId}`));
    return 0;
  } finally {
    await project.close();
  }
}

function body(options: FieldOptions): string | undefined {
  if (options.body !== undefined && options.bodyFile !== undefined) {
    throw new GafferError("usage", "--body and --body-file are mutually exclusive", "pass one of them");
  }
  if (options.bodyFile === undefined) return options.body;
  try {
    return readFileSync(options.bodyFile === "-" ? 0 : options.bodyFile, "utf8");
  } catch {
    throw new GafferError(
      "invalid-input",
      `cannot read ${options.bodyFile}`,
      "check the path given to --body-file",
    );
  }
}

function priority(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value))
    throw new GafferError("usage", `priority "${text}" is not an integer`, "e.g. --priority 2");
  return value;
}

function nonEmpty(title: string): string {
  if (!title.trim())
    throw new GafferError(
      "usage",
      "the title is empty",
      'give a title, e.g. gaffer issue add "Fix the login bug"',
    );
  return title.trim();
}
