/**
 * A character no agent-controlled text may bring raw to a terminal or a report: a C0 control but
 * line feed and tab, DEL, a C1 control, a bidi override, isolate or mark, a line or paragraph
 * separator.
 */
export const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

/** The markdown headings outside fenced blocks (a fence closes only with a run at least as long). */
export function markdownHeadings(markdown: string): string[] {
  const found: string[] = [];
  let fence = "";
  for (const line of markdown.split("\n")) {
    const run = /^ {0,3}(`{3,})/.exec(line)?.[1];
    if (fence) {
      if (run && run.length >= fence.length && line.trim() === run) fence = "";
    } else if (run) fence = run;
    else if (/^#{1,6} /.test(line)) found.push(line);
  }
  return found;
}
