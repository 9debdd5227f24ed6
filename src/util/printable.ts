/**
 * How a string will be shown: `line` is a single-line field (a name, a subject, a reason), where a
 * line break or a tab is shown escaped; `text` is a block of lines (a body, command output), which
 * keeps its line breaks and tabs.
 */
export type TextShape = "line" | "text";

/**
 * Agent- or tracker-controlled text made safe to show to a human on a terminal, in a report or in a
 * log line: every control character (C0, DEL, C1) is shown escaped (`\x1b`), and so are the
 * invisible format characters — bidi overrides, isolates and marks, zero-width spaces and joiners,
 * line and paragraph separators — and lone surrogates (`\u202e`). Printable Unicode is kept,
 * emoji too, with the joiners inside an emoji sequence. Stored and JSON values stay raw: this is
 * for the printing edge only.
 */
export function printable(text: string, shape: TextShape = "line"): string {
  if (!ANY_HIDDEN.test(text)) return text;
  const chars = Array.from(text);
  let shown = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (shape === "text" && (char === "\n" || char === "\t")) shown += char;
    else if (shape === "text" && char === "\r" && chars[i + 1] === "\n") continue;
    else if (HIDDEN.test(char) && !(char === ZWJ && inEmoji(chars[i - 1], chars[i + 1])))
      shown += escaped(char);
    else shown += char;
  }
  return shown;
}

const ZWJ = "\u200d";
const HIDDEN = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u;
const ANY_HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const EMOJI_BEFORE_JOINER = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\ufe0f)$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A zero-width joiner between two emoji builds one emoji (👨‍👩‍👧): keep it there. */
function inEmoji(before: string | undefined, after: string | undefined): boolean {
  return before !== undefined && after !== undefined && EMOJI_BEFORE_JOINER.test(before) && EMOJI.test(after);
}

function escaped(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0) as number;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, "0")}`;
  return `\\u{${hex}}`;
}
