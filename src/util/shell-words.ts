/**
 * A small POSIX-style word splitter: single quotes, double quotes, backslash escapes.
 * It never expands anything ($VAR, globs, ~): the words go to a program without a shell.
 */

const OPERATOR_CHARS = new Set([";", "&", "|", "(", ")", "`", "\n"]);

/** Splits a command template into argv words. Throws on an unterminated quote or a trailing backslash. */
export function splitShellWords(text: string): string[] {
  return scan(text, false).flat();
}

/**
 * Splits a shell script into its simple commands (argv each), cutting at unquoted operators
 * (`;`, `&&`, `||`, `|`, `&`, parentheses, backticks, newlines). Best effort: the policy check
 * uses it to see each command a script would run; the OS sandbox is the real barrier.
 */
export function splitSimpleCommands(script: string): string[][] {
  return scan(script, true).filter((words) => words.length > 0);
}

/** Joins argv words into one line that splitShellWords reads back unchanged. */
export function joinShellWords(words: readonly string[]): string {
  return words.map(quoteWord).join(" ");
}

function quoteWord(word: string): string {
  if (word !== "" && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function scan(text: string, cutAtOperators: boolean): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) commands.at(-1)?.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (cutAtOperators && OPERATOR_CHARS.has(ch)) {
      endWord();
      commands.push([]);
    } else if (/\s/.test(ch)) {
      endWord();
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated single quote");
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      const [value, end] = readDoubleQuoted(text, i + 1);
      word = (word ?? "") + value;
      i = end;
    } else if (ch === "\\") {
      if (i + 1 >= text.length) throw new Error("trailing backslash");
      i++;
      // A backslash-newline continues the line.
      if (text.charAt(i) !== "\n") word = (word ?? "") + text.charAt(i);
    } else {
      word = (word ?? "") + ch;
    }
  }
  endWord();
  return commands;
}

/** Reads a double-quoted string from `start` (after the quote); returns its value and the closing quote's index. */
function readDoubleQuoted(text: string, start: number): [string, number] {
  let value = "";
  for (let i = start; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"') return [value, i];
    if (ch === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text.charAt(i + 1))) {
      i++;
      if (text.charAt(i) !== "\n") value += text.charAt(i);
    } else {
      value += ch;
    }
  }
  throw new Error("unterminated double quote");
}
