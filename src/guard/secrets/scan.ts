import { type Needle, needlesFor } from "./encodings.ts";
import { isPlaceholder, TOKEN_FORMATS } from "./formats.ts";
import type { KnownSecret, Place, SecretEncoding, SecretFinding, TextAt } from "./types.ts";

/** Enough to act on; the rest would only bury the first ones. */
export const MAX_FINDINGS = 50;
const REDACTED = "[redacted]";

interface KnownNeedle extends Needle {
  what: string;
}

interface Hit {
  index: number;
  match: string;
  rule: SecretFinding["rule"];
  what: string;
  encoding: SecretEncoding;
}

export interface SecretScanner {
  /** Every place (up to MAX_FINDINGS) where a known secret or a well-known token is written. */
  scan(texts: Iterable<TextAt>): SecretFinding[];
  /** `text` with every known secret (in any encoding the scan knows) and token replaced by [redacted]. */
  redact(text: string): string;
}

/** A scanner for the given known secrets and the well-known token formats. */
export function secretScanner(known: readonly KnownSecret[]): SecretScanner {
  const needles = knownNeedles(known);
  const redact = (text: string) => redactText(text, needles);
  return {
    redact,
    scan(texts) {
      const findings: SecretFinding[] = [];
      const seen = new Set<string>();
      for (const text of texts) {
        for (const hit of hits(text.text, needles)) {
          if (text.replaced?.includes(hit.match)) continue;
          const place = maskedPlace(located(text, hit.index), redact);
          const key = JSON.stringify([place, hit.what, hit.encoding]);
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(finding(place, hit));
          if (findings.length >= MAX_FINDINGS) return findings;
        }
      }
      return findings;
    },
  };
}

/** Each secret's needles once, named after every source that holds the value; longest first. */
function knownNeedles(known: readonly KnownSecret[]): KnownNeedle[] {
  const byValue = new Map<string, Set<string>>();
  for (const secret of known)
    byValue.set(secret.value, (byValue.get(secret.value) ?? new Set()).add(secret.source));
  const needles = [...byValue].flatMap(([value, sources]) => {
    const what = `the value of ${namedSources([...sources])}`;
    return needlesFor(value).map((needle) => ({ ...needle, what }));
  });
  return needles.sort((a, b) => b.text.length - a.text.length);
}

/** The first occurrence of each needle, and the first real match of each token format. */
function hits(text: string, needles: readonly KnownNeedle[]): Hit[] {
  const found: Hit[] = [];
  for (const needle of needles) {
    const index = text.indexOf(needle.text);
    if (index === -1) continue;
    found.push({
      index,
      match: needle.text,
      rule: "known-secret",
      what: needle.what,
      encoding: needle.encoding,
    });
  }
  for (const format of TOKEN_FORMATS) {
    for (const match of text.matchAll(format.pattern)) {
      if (isPlaceholder(match[0])) continue;
      found.push({
        index: match.index,
        match: match[0],
        rule: "token-format",
        what: format.name,
        encoding: "plain",
      });
      break;
    }
  }
  return found;
}

/** "A", "A (also in B)", "A (also in B, C and 2 more)". */
function namedSources(sources: string[]): string {
  const [first, ...others] = sources;
  if (others.length === 0) return first ?? "";
  const shown = others.slice(0, 2).join(", ");
  const more = others.length > 2 ? ` and ${others.length - 2} more` : "";
  return `${first} (also in ${shown}${more})`;
}

function redactText(text: string, needles: readonly KnownNeedle[]): string {
  let out = text;
  for (const needle of needles) out = out.replaceAll(needle.text, REDACTED);
  for (const format of TOKEN_FORMATS) {
    out = out.replace(format.pattern, (match) => (isPlaceholder(match) ? match : REDACTED));
  }
  return out;
}

/** The place of a hit: for a file, the line the hit starts on. */
function located(text: TextAt, index: number): Place {
  if (text.place.kind !== "file") return text.place;
  let line = text.place.line;
  for (let at = text.text.indexOf("\n"); at !== -1 && at < index; at = text.text.indexOf("\n", at + 1))
    line++;
  return { ...text.place, line };
}

/** The place with any secret in its own strings (a path, a header's name) masked, and control characters shown as `?`. */
function maskedPlace(place: Place, redact: (text: string) => string): Place {
  const clean = (text: string) => [...redact(text)].map((char) => (isControl(char) ? "?" : char)).join("");
  if (place.kind === "file" || place.kind === "path") return { ...place, path: clean(place.path) };
  if (place.kind === "commit") return { ...place, field: clean(place.field) };
  return place;
}

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function finding(place: Place, hit: Hit): SecretFinding {
  const encoded = hit.encoding === "plain" ? "" : ` (${hit.encoding})`;
  return {
    place,
    rule: hit.rule,
    what: hit.what,
    encoding: hit.encoding,
    message: `${describePlace(place)} holds ${hit.what}${encoded}`,
  };
}

/** `value` with `redact` applied to every string in it, however deep (an event's evidence). */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item, redact)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => [key, redactStrings(item, redact)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

function describePlace(place: Place): string {
  const commit = (sha: string | null) =>
    sha ? `in commit ${sha.slice(0, 12)}` : "(uncommitted; gaffer would commit it)";
  switch (place.kind) {
    case "file":
      return `${place.path}:${place.line} ${commit(place.commit)}`;
    case "path":
      return `the file name ${place.path} ${commit(place.commit)}`;
    case "commit":
      return `the ${place.field} of commit ${place.commit.slice(0, 12)}`;
    case "branch":
      return "the run branch's name";
    default:
      return place satisfies never;
  }
}
