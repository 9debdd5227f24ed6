import { tmpdir } from "node:os";
import { stripVTControlCharacters } from "node:util";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const TEMP_ROOTS = [...new Set([tmpdir(), "/tmp", "/var/tmp"])].map(escapeRegExp).join("|");

/** Things that change from one run of the same failure to the next. */
const VOLATILE: [RegExp, string][] = [
  [/(?:\/private)?\/var\/folders\/[^\s/]+\/[^\s/]+\/T\/[^\s/:'")]+/g, "<tmp>"],
  [new RegExp(`(?:${TEMP_ROOTS})/[^\\s/:'")]+`, "g"), "<tmp>"],
  [/\[… \d+ bytes omitted …\]/g, "[… bytes omitted …]"],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>"],
  [/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, "<time>"],
  [/duration_ms:? [\d.]+/g, "duration_ms <dur>"],
  [/\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds)\b/g, "<dur>"],
  [/\bpid[:= ]\s*\d+/gi, "pid <n>"],
  [/(thread '[^']*') \(\d+\)/g, "$1 (<n>)"],
  [/\b0x[0-9a-f]{4,}\b/gi, "0x<addr>"],
  [/(\.[A-Za-z]\w*):\d+(?::\d+)?/g, "$1:<n>"],
  [/:\d+:\d+\b/g, ":<n>:<n>"],
  [/\((\d+),(\d+)\)/g, "(<n>,<n>)"],
];

/** Removes colours and terminal controls, which some tools emit even into a pipe. */
export function plainText(text: string): string {
  return stripVTControlCharacters(text).replace(/\r\n?/g, "\n");
}

/** A line with run-to-run noise (timings, pids, temp paths, line:col, addresses) replaced. */
export function stableLine(line: string): string {
  let result = line.trim();
  for (const [pattern, replacement] of VOLATILE) result = result.replace(pattern, replacement);
  return result;
}

/** Looser still, for spotting repeats: every number is the same number. */
export function dedupKey(line: string): string {
  return stableLine(line).replace(/\d+/g, "N");
}
