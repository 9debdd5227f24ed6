import { GafferError } from "../../errors.ts";
import { splitShellWords } from "../../util/index.ts";

/** Splits a command template into words (shell quoting rules, no shell). */
export function parseTemplate(name: string, template: string): string[] {
  let words: string[];
  try {
    words = splitShellWords(template);
  } catch (error) {
    throw new GafferError(
      "invalid-input",
      `agent ${name}: bad command template: ${(error as Error).message}`,
      quoteHint,
    );
  }
  if (words.length === 0)
    throw new GafferError("invalid-input", `agent ${name}: the command template is empty`, quoteHint);
  return words;
}

const quoteHint =
  "write the template as a shell-style command line, e.g. `my-agent --prompt-file {prompt_file}`";
