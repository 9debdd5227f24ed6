import { currentIdentity, mergeRequest, publishRequest, submit } from "../../vault/index.ts";
import { parseId } from "../output.ts";
import { parseTier, withVault } from "./vault.ts";

type ProposalActionOptions = { as?: string; context?: string; blastRadius?: string; json?: boolean };

/** `gaffer merge <run>`: a request to the vault to merge the run's proposal into the default branch. */
export function merge(cwd: string, runText: string, options: ProposalActionOptions): Promise<number> {
  return requestAction(cwd, runText, options, mergeRequest);
}

/** `gaffer publish <run>`: a request to the vault to push the run's proposal and open a draft pull request. */
export function publish(cwd: string, runText: string, options: ProposalActionOptions): Promise<number> {
  return requestAction(cwd, runText, options, publishRequest);
}

async function requestAction(
  cwd: string,
  runText: string,
  options: ProposalActionOptions,
  request: typeof mergeRequest,
): Promise<number> {
  const runId = parseId(runText, "run");
  const blastRadius = parseTier(options.blastRadius);
  return withVault(cwd, options, async (ctx) => {
    const identity = await currentIdentity(ctx.root, options.as);
    return submit(
      ctx,
      await request(ctx, runId, {
        requester: { role: "operator", identity },
        context: options.context,
        blastRadius,
      }),
    );
  });
}
