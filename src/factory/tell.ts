import type { Project } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { addItem, type Item } from "../store/index.ts";
import { factoryOf } from "./daemon.ts";
import { findRole } from "./role-run.ts";
import { ROLE_LABEL_PREFIX } from "./scheduler.ts";

/** Sends `roleName` a message: an item only that role takes (a persistent role works it in its session). */
export async function tellRole(project: Project, roleName: string, message: string): Promise<Item> {
  const role = findRole(factoryOf(project), roleName);
  const text = message.trim();
  if (text === "")
    throw new GafferError("usage", "gaffer tell: the message is empty", `gaffer tell ${role.name} "…"`);
  return addItem(project.store.db, {
    title: text.split("\n")[0]?.slice(0, 72) ?? text,
    body: text,
    labels: [`${ROLE_LABEL_PREFIX}${role.name}`],
    source: "tell",
  });
}
