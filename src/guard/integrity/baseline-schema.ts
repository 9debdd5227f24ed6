import { z } from "zod";

/** A baseline as saveBaseline writes it (baseline.ts). */
export const baselineSchema = z.object({
  version: z.literal(1),
  baseCommit: z.string(),
  /** refname → object id, as `for-each-ref` lists them (HEAD is not among them). */
  refs: z.record(z.string(), z.string()),
  /** Path under `.git/hooks` → digest of its content or link target. */
  hooks: z.record(z.string(), z.string()),
  configSha256: z.string().nullable(),
  /** Copies of a changed config that workspaceGit had already saved when the baseline was taken. */
  restoredConfigs: z.array(z.string()),
});
