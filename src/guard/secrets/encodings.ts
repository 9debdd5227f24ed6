import type { SecretEncoding } from "./types.ts";

/** A string whose presence in a text means the secret is there, and how it was encoded. */
export interface Needle {
  text: string;
  encoding: SecretEncoding;
}

/** Shorter fragments (of an encoding) would match by chance. */
const MIN_NEEDLE = 8;

/**
 * The forms of `value` the scan looks for: as is, reversed, in hex, and in base64 (standard and
 * URL-safe) at each of the three alignments it can have inside a longer encoded text.
 */
export function needlesFor(value: string): Needle[] {
  const bytes = Buffer.from(value, "utf8");
  const hex = bytes.toString("hex");
  const needles: Needle[] = [
    { text: value, encoding: "plain" },
    { text: [...value].reverse().join(""), encoding: "reversed" },
    { text: hex, encoding: "hex" },
    { text: hex.toUpperCase(), encoding: "hex" },
  ];
  for (const offset of [0, 1, 2]) {
    const base64 = base64Core(bytes, offset);
    needles.push({ text: base64, encoding: "base64" });
    needles.push({ text: base64.replaceAll("+", "-").replaceAll("/", "_"), encoding: "base64" });
  }
  const seen = new Set<string>();
  return needles.filter((needle) => {
    if (needle.text.length < MIN_NEEDLE || seen.has(needle.text)) return false;
    seen.add(needle.text);
    return true;
  });
}

/**
 * The base64 characters that depend only on `bytes` when they start `offset` bytes into the
 * encoded data: character i covers bits [6i, 6i + 6).
 */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return encoded.slice(first, end);
}
