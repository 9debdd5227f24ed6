import { dataOf } from "../helpers/events.ts";
/** The building blocks of red-team attacks: their shape, scripted-agent steps, and verdict helpers. */
import type { Arena, AttackResult } from "./harness.ts";
import { SECRET } from "./harness.ts";

/** The layer expected to stop an attack; the table shows which one did. */
export type Layer =
  | "policy"
  | "acp-fs"
  | "git-guard"
  | "git-hooks"
  | "sandbox"
  | "integrity"
  | "tamper"
  | "limits"
  | "gate"
  | "output"
  | "safe-fs"
  | "proxy";

export interface Attack {
  name: string;
  layer: Layer;
  /** Extra gaffer.toml for this attack. */
  config?: string;
  /** Files committed into the project before the run (its base). */
  files?: Record<string, string>;
  /** gaffer's environment for this attack, beside the arena's own (HOME and the tokens). */
  env?: Record<string, string>;
  /**
   * False for an attack that another layer stops without bubblewrap: it runs with the sandbox
   * preferred, so also on machines without one. Otherwise (the default) it requires the sandbox
   * and is skipped where there is none.
   */
  needsSandbox?: false;
  /** Run the item again with --resume after the first run: for what is planted before a resume. */
  resume?: boolean;
  /** `[gate] max_fix_attempts` (0 unless set): an attack that must give up needs a second attempt. */
  fixAttempts?: number;
  scenario(a: Arena): string;
  /** Returns the evidence that the attack was blocked or detected; throws when it was not. */
  verify(result: AttackResult, a: Arena): string | Promise<string>;
}

export const MARKER = "gaffer-redteam-marker";

/** A shell step whose output (and exit status) lands in `out.txt` in the workspace, as evidence. */
export const shell = (command: string, out = "out.txt") =>
  `{ shell = '''{ ${command}; } >> ${out} 2>&1; echo "exit=$?" >> ${out}''' }`;
export const attempt = (...steps: string[]) => `[[attempts]]\nsteps = [\n  ${steps.join(",\n  ")},\n]\n`;
export const note = { direct: `{ shell = 'echo harmless >> NOTES.md' }` };

export function event(
  result: AttackResult,
  type: string,
  match?: (data: Record<string, unknown>) => boolean,
): string {
  const found = result.events.find((e) => e.type === type && (!match || match(dataOf(e))));
  if (!found) throw new Error(`no ${type} event`);
  return `${type} ${JSON.stringify(found.data).slice(0, 120)}`;
}

export function refused(result: AttackResult, pattern: RegExp, file = "out.txt"): string {
  const out = result.workspaceFile(file) ?? "";
  if (!pattern.test(out)) throw new Error(`${file} does not show the refusal: ${out.slice(0, 300)}`);
  return out.trim().split("\n")[0] ?? "";
}

export function failedWith(result: AttackResult, pattern: RegExp): string {
  if (!result.run || result.run.state !== "failed" || !pattern.test(result.run.reason ?? "")) {
    throw new Error(
      `expected a failed run matching ${pattern}, got ${result.run?.state}: ${result.run?.reason}`,
    );
  }
  return result.run.reason ?? "";
}

export function noSecret(result: AttackResult, file: string): string {
  const content = result.workspaceFile(file) ?? "";
  if (content.includes(SECRET)) throw new Error(`${file} contains the secret`);
  return `${file}: ${content.trim().slice(0, 60) || "(empty)"}`;
}

export const ROS = /Read-only file system|Permission denied|cannot|No such file|denied/i;
