/** A kind of credential recognisable by its shape alone. */
export interface TokenFormat {
  /** Shown in findings: "a GitHub token". */
  name: string;
  /** Global, so every match in a text is seen. */
  pattern: RegExp;
}

/** Not preceded by a character that would make the match part of a longer word. */
const START = "(?<![A-Za-z0-9_-])";

const format = (name: string, source: string): TokenFormat => ({ name, pattern: new RegExp(source, "g") });

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  format("a private key", "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
  format("a GitHub token", `${START}gh[pousr]_[A-Za-z0-9]{36,251}`),
  format("a GitHub token", `${START}github_pat_[A-Za-z0-9_]{22,255}`),
  format("a GitLab token", `${START}glpat-[A-Za-z0-9_-]{20,}`),
  format("an AWS access key", "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
  format("a Slack token", `${START}xox[bpars]-[A-Za-z0-9-]{10,}`),
  format("a Stripe key", `${START}(?:sk|rk)_live_[A-Za-z0-9]{16,}`),
  format("an Anthropic key", `${START}sk-ant-[A-Za-z0-9_-]{20,}`),
  format("an OpenAI key", `${START}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}`),
  format("an OpenAI key", `${START}sk-[A-Za-z0-9]{32,}(?![A-Za-z0-9_-])`),
  format("a Google API key", `${START}AIza[0-9A-Za-z_-]{35}`),
  format("a JSON Web Token", `${START}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}`),
];

/** Documentation's placeholders (AKIAIOSFODNN7EXAMPLE, ghp_xxxx…) are not credentials. */
export function isPlaceholder(match: string): boolean {
  return /example|x{8}|0{8}|(.)\1{7}/i.test(match);
}
