import type { VaultConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";

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
