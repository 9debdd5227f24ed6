import { GafferError } from "../errors.ts";

/** A failed forge request, whichever client made it: its status (none when no answer came) and what the forge said. */
export interface ForgeFailure {
  status: number | undefined;
  message: string;
  /** GitHub's `x-accepted-github-permissions`: what the endpoint needed, e.g. `issues=write`. */
  needed?: string | undefined;
  throttled?: boolean;
}

/** Where a request went and with what: named in every message, so the user knows what to fix. */
export interface ForgeContext {
  /** `acme/app on github.com`. */
  where: string;
  /** `GITHUB_TOKEN`, or `the GitHub App 1234`: never a token's value. */
  credential: string;
  /** Tells how to mint or widen the credential. */
  hint: string;
}

/**
 * One GafferError per failure, in one line: a refused credential, a missing scope or permission,
 * a repository the credential cannot see, throttling past the retries, or a forge that kept failing.
 */
export function forgeError(failure: ForgeFailure, action: string, context: ForgeContext): GafferError {
  const said = oneLine(failure.message);
  const status = failure.status;
  if (status === 401) {
    return new GafferError(
      "tracker-auth",
      `${context.credential} was refused by ${context.where} (401${said && `: ${said}`})`,
      context.hint,
    );
  }
  if (failure.throttled) {
    return new GafferError(
      "tracker-unavailable",
      `${context.where} kept throttling gaffer while it tried to ${action}${said && `: ${said}`}`,
      "wait for the rate limit to reset, or poll less often",
    );
  }
  if (status === 403) {
    const needs = failure.needed ? ` (it needs ${failure.needed.replace(/=/g, ": ")})` : "";
    return new GafferError(
      "tracker-auth",
      `${context.credential} may not ${action} on ${context.where}${needs}${said && `: ${said}`}`,
      context.hint,
    );
  }
  if (status === 404) {
    return new GafferError(
      "tracker-auth",
      `${context.where} cannot be found with ${context.credential} while trying to ${action}: the repository does not exist, or the credential cannot see it`,
      `check [tracker] repo and url; ${context.hint}`,
    );
  }
  const what =
    status === undefined ? `no answer (${said || "connection failed"})` : `${status}${said && ` ${said}`}`;
  return new GafferError(
    "tracker-unavailable",
    `${context.where} failed to ${action}: ${what}, after retries`,
    "try again later; `gaffer tracker check` tests the connection",
  );
}

function oneLine(text: string): string {
  const line = text.split(/\r?\n/)[0]?.trim() ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
