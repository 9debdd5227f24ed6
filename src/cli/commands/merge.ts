import { currentIdentity, mergeRequest, submit } from "../../vault/index.ts";
import { parseId } from "../output.ts";
import { parseTier, withVault } from "./vault.ts";

/** `gaffer merge <run>`: a request to the vault to merge the run's proposal into the default branch. */
export async function merge(
  cwd: string,
  runText: string,
  options: { as?: string; context?: string; blastRadius?: string; json?: boolean },
): Promise<number> {
  const runId = parseId(runText, "run");
  const blastRadius = parseTier(options.blastRadius);
  return withVault(cwd, options, async (ctx) => {
    const identity = await currentIdentity(ctx.root, options.as);
    const request = await mergeRequest(ctx, runId, {
      requester: { role: "operator", identity },
      context: options.context,
      blastRadius,
    });
    return submit(ctx, request);
  });
}
