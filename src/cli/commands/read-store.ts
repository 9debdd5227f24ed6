import { GafferError } from "../../errors.ts";
import type { Db, Store } from "../../store/index.ts";

const MISSING = {
  item: { code: "item-not-found", things: "items", hint: "add one with `gaffer issue add`" },
  run: { code: "run-not-found", things: "runs", hint: "start one with `gaffer run <item>`" },
} as const;

/**
 * The store of a project opened read-only, for a command asking for one item or run: with no
 * store yet that item or run cannot exist, so say so instead of creating anything.
 */
export function requireStore(project: { store: Store | undefined }, kind: "item" | "run", id: string): Db {
  if (project.store) return project.store.db;
  const missing = MISSING[kind];
  throw new GafferError(
    missing.code,
    `no ${kind} ${id}: this project has no ${missing.things} yet`,
    missing.hint,
  );
}
