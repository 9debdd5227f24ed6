import type { RawConfig } from "./schema.ts";

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

export function compileVault(raw: RawConfig["vault"]): VaultConfig {
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
