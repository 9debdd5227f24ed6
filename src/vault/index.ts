/**
 * The vault: every action with effects beyond a proposal — a merge, publishing a proposal as a
 * draft pull request, a formula that needs secrets — is classified by blast radius, decided, executed and recorded here.
 *
 *   const ctx = openVault(project);                        // gaffer.toml [vault], policy.toml, secrets
 *   await tick(ctx);                                       // ended review windows, unfired approvals
 *   const action = await submit(ctx, await mergeRequest(ctx, runId, { requester }));
 *   // low: fired and executed now; medium: waits for review; high: waits for approve(ctx, id, who)
 *
 * Files: `.gaffer/vault/{pending,approved,fired,rejected}/<id>.json`, `fired/<id>.result.json`,
 * and the hash-chained `audit.jsonl` with its `audit.head`.
 */
export { checkTomlFile, readActionFile } from "./action.ts";
export { readAudit } from "./audit.ts";
export { type AutoRequest, mergeByItself, publishByItself } from "./auto.ts";
export { classify } from "./classify.ts";
export { openVault, readVault, type VaultContext } from "./context.ts";
export { approve, reject, reviewEnded, submit, tick } from "./flow.ts";
export { currentIdentity } from "./identity.ts";
export { lintVaultDir } from "./lint.ts";
export { loadPolicy, type Policy } from "./policy.ts";
export { branchMergeRequest, formulaRequest, mergeRequest, publishRequest } from "./requests.ts";
export { findAction, listActions, type StoredAction } from "./store.ts";
export { TIERS, type Tier } from "./tier.ts";
export { verifyVault } from "./verify.ts";
