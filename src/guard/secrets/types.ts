/**
 * Where a text would be published: a line of a file, a file's name, a field of a commit object,
 * the run branch's name, or the message gaffer itself commits with. `commit` null: the changes
 * gaffer would commit for the agent.
 */
export type Place =
  | { kind: "file"; commit: string | null; path: string; line: number }
  | { kind: "path"; commit: string | null; path: string }
  | { kind: "commit"; commit: string; field: string }
  | { kind: "branch" };

/** A text to scan. For a file, `place.line` is the line of its first line. */
export interface TextAt {
  place: Place;
  text: string;
  /**
   * What this text replaced (the lines the same change removed): a value already there before
   * the change is not a new leak, so editing a line that held one is not a finding.
   */
  replaced?: string;
}

/** A value gaffer knows to be secret, and where it knows it from (shown; the value never is). */
export interface KnownSecret {
  value: string;
  /** e.g. "environment variable GITHUB_TOKEN" or ".env (API_TOKEN)". */
  source: string;
}

/** How a known value was written: as is, or in one of the cheap encodings the scan undoes. */
export type SecretEncoding = "plain" | "reversed" | "hex" | "base64";

export interface SecretFinding {
  /** Where it is; any secret in the place's own strings (a path) is already masked. */
  place: Place;
  /** "known-secret": a value gaffer holds; "token-format": a well-known kind of token. */
  rule: "known-secret" | "token-format";
  /** What was found, without its value: "the value of environment variable X", "a GitHub token". */
  what: string;
  encoding: SecretEncoding;
  /** One line naming the place and what was found; never the value. */
  message: string;
}
