import { GafferError } from "../errors.ts";
import { projectGitResult } from "../workspace/index.ts";

/**
 * Who is at the keyboard: `--as`, else $GAFFER_APPROVER, else git's user.email in the project.
 * It is a claim, not a login: the vault trusts whoever can run gaffer in the project, which agents
 * cannot (their sandbox hides `.gaffer/`).
 */
export async function currentIdentity(
  root: string,
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (given) return given;
  if (env.GAFFER_APPROVER) return env.GAFFER_APPROVER;
  const result = await projectGitResult(root, ["config", "user.email"]);
  const email = result.stdout.toString("utf8").trim();
  return result.exitCode === 0 && email !== "" ? email : undefined;
}

/** The approver as configured, or a GafferError saying who may approve. */
export function assertApprover(identity: string | undefined, approvers: readonly string[]): string {
  const match = approvers.find((approver) => approver.toLowerCase() === identity?.toLowerCase());
  if (match) return match;
  const who =
    identity === undefined ? "nobody (no --as, $GAFFER_APPROVER or git user.email)" : `"${identity}"`;
  throw new GafferError(
    "usage",
    `${who} is not an approver of this project's vault`,
    approvers.length
      ? `approvers: ${approvers.join(", ")} ([vault] approvers in gaffer.toml); pass --as <name>`
      : "add yourself to [vault] approvers in gaffer.toml",
  );
}
