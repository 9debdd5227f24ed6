import type { ObjectReader } from "../../workspace/index.ts";
import { gateSurface, type GateSurface, type MakeRule, parseMakefile, parseScripts } from "./gate-surface.ts";
import type { RawChange } from "./raw-diff.ts";
import { tamperFinding } from "./tamper-config.ts";
import { blobText } from "./tamper-diff.ts";
import { baseFileList } from "./tree-files.ts";
import type { Finding } from "./types.ts";

/**
 * Changes to what the gate runs by name: a script it executes, a package.json script or Makefile
 * target it calls, a runner file its tool reads. `changes` is the diff from `base` to the
 * proposed tree; base files are read from `base`.
 */
export async function gateFindings(
  objects: ObjectReader,
  base: string,
  commands: readonly string[],
  changes: readonly RawChange[],
): Promise<Finding[]> {
  if (commands.length === 0) return [];
  const baseFiles = await baseFileList(objects, base);
  const readBase = async (path: string) => {
    const oid = baseFiles.get(path);
    return oid === undefined ? undefined : blobText(objects, oid);
  };
  const surface = await gateSurface(commands, new Set(baseFiles.keys()), readBase);
  const findings: Finding[] = [];
  for (const change of changes) {
    const path = change.oldPath;
    const shadowed = surface.shadows.get(change.newPath);
    if (path === "" && shadowed !== undefined) findings.push(fileAdded(change.newPath, shadowed));
    if (path === "") continue;
    const gate = surface.files.get(path);
    if (gate !== undefined) findings.push(fileChanged(path, change, gate));
    else findings.push(...(await partsChanged(objects, surface, change)));
  }
  return findings;
}

function fileChanged(path: string, change: RawChange, gate: string): Finding {
  const how =
    change.newPath === "" ? "deleted" : change.newPath !== path ? `renamed to ${change.newPath}` : "changed";
  return tamperFinding("gate-file-changed", `${path}, which the gate runs (${gate}), was ${how}`, {
    file: path,
    gate,
    status: change.status,
  });
}

function fileAdded(path: string, gate: string): Finding {
  return tamperFinding("gate-file-added", `${path} was added, and the gate (${gate}) would read it`, {
    file: path,
    gate,
  });
}

/** Changed package.json scripts or Makefile targets that the gate calls. */
async function partsChanged(
  objects: ObjectReader,
  surface: GateSurface,
  change: RawChange,
): Promise<Finding[]> {
  const path = change.oldPath;
  const scripts = surface.scripts.get(path);
  const targets = surface.targets.get(path);
  if (!scripts && !targets) return [];
  const before = await blobText(objects, change.oldOid);
  const after = await blobText(objects, change.newOid);
  if (scripts) {
    const was = parseScripts(before);
    const now = parseScripts(after);
    const changed = [...scripts].filter((name) => was[name] !== now[name]);
    return changed.map((name) =>
      tamperFinding("gate-script-changed", `${path}: the "${name}" script the gate runs changed`, {
        file: path,
        script: name,
        was: was[name] ?? null,
        now: now[name] ?? null,
      }),
    );
  }
  const was = parseMakefile(before);
  const now = parseMakefile(after);
  const changed = [...(targets ?? [])].filter((target) => !sameRule(was.get(target), now.get(target)));
  return changed.map((target) =>
    tamperFinding("gate-target-changed", `${path}: the "${target}" target the gate makes changed`, {
      file: path,
      target,
      was: was.get(target)?.recipe ?? null,
      now: now.get(target)?.recipe ?? null,
    }),
  );
}

function sameRule(a: MakeRule | undefined, b: MakeRule | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
