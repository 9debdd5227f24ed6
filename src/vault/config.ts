import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import type { GafferConfig } from "../config/index.ts";
import { configSchema } from "../config/schema.ts";
import { GafferError } from "../errors.ts";

/** gaffer.toml's [vault], compiled: durations in ms, every default filled in. */
export interface VaultConfig {
  /** The policy file, relative to the project root unless absolute. */
  policy: string;
  approvers: string[];
  reviewTimeoutMs: number;
  onTimeout: "execute" | "expire";
  secretsFile: string;
  notify: string | undefined;
  /** The command each formula action runs. */
  formulas: ReadonlyMap<string, string>;
}

/**
 * The [vault] table of the gaffer.toml that `config` was loaded from. loadConfig has already
 * validated the whole file, so reading the table again cannot fail.
 */
export function vaultConfig(config: GafferConfig): VaultConfig {
  const input = config.file
    ? (parse(readFileSync(config.file, "utf8")) as { vault?: unknown }).vault
    : undefined;
  const raw = configSchema.shape.vault.parse(input);
  return {
    policy: raw.policy,
    approvers: raw.approvers,
    reviewTimeoutMs: raw.review_timeout,
    onTimeout: raw.on_timeout,
    secretsFile: raw.secrets_file,
    notify: raw.notify,
    formulas: new Map(Object.entries(raw.formulas).map(([name, formula]) => [name, formula.run])),
  };
}

/** The command gaffer.toml gives a formula, or a GafferError saying where to give it one. */
export function formulaCommand(vault: VaultConfig, formula: string): string {
  const command = vault.formulas.get(formula);
  if (command !== undefined) return command;
  throw new GafferError(
    "config-invalid",
    `no command for formula ${formula}`,
    `add [vault.formulas.${formula}] run = "…" to gaffer.toml`,
  );
}
