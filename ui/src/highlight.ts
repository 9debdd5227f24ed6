import { h } from "./dom.ts";

/**
 * A small tokenizer for the lines of a unified diff: the line's kind (added, removed, hunk, file
 * header) and, in code, strings, comments, numbers and common keywords. Good enough to read a
 * diff by, language-agnostic, and a few hundred bytes instead of a highlighting library.
 */
const TOKENS =
  /("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)|(\/\/.*|#.*|\/\*.*?(?:\*\/|$)|--\s.*)|(\b\d[\d_.xXa-fA-F]*\b)|(\b(?:async|await|break|case|catch|class|const|continue|def|default|do|else|enum|export|extends|fn|for|from|func|function|if|impl|import|in|interface|let|match|new|package|pub|return|self|static|struct|switch|this|throw|try|type|use|var|while|yield|None|True|False|null|true|false|undefined)\b)/g;
const KINDS = ["str", "com", "num", "kw"] as const;

function lineKind(line: string): string {
  if (line.startsWith("+++ ") || line.startsWith("--- ")) return "file";
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  // Anything else but context ("diff --git", "new file mode", "\ No newline…") is git's own.
  return line.startsWith(" ") || line === "" ? "ctx" : "meta";
}

/** One diff line as a row of text spans: never markup from the diff itself. */
export function diffLine(line: string): HTMLElement {
  const kind = lineKind(line);
  const row = h("div", { class: `diff-line diff-${kind}` });
  if (kind !== "add" && kind !== "del" && kind !== "ctx") {
    row.textContent = line;
    return row;
  }
  row.append(h("span", { class: "diff-mark" }, line.slice(0, 1) || " "));
  const code = line.slice(1);
  let at = 0;
  for (const match of code.matchAll(TOKENS)) {
    if (match.index > at) row.append(code.slice(at, match.index));
    const group = match.slice(1).findIndex((part) => part !== undefined);
    row.append(h("span", { class: `tok-${KINDS[group] ?? "kw"}` }, match[0]));
    at = match.index + match[0].length;
  }
  if (at < code.length) row.append(code.slice(at));
  return row;
}
