import { basename } from "node:path";
import { judgeGit } from "./git-guard/judge.ts";
import type { CommandPolicy } from "../agents/index.ts";

/**
 * The command policy gaffer applies to everything an agent asks to run through it (ACP
 * permission requests and terminals), judged by the same rules as the git wrapper. It is the
 * polite layer: it reads shell text the way a shell would split it, but the guarantees come from
 * the sandbox and gaffer's post-run checks, not from this.
 */
export function commandPolicy(runBranch?: string): CommandPolicy {
  return {
    deniedBy(command, args) {
      for (const words of simpleCommands(command, args)) {
        const rule = deniedGit(words, runBranch);
        if (rule) return rule;
      }
      return undefined;
    },
  };
}

/** The policy without a run branch: update-ref and symbolic-ref may write nothing. */
export const defaultPolicy: CommandPolicy = commandPolicy();

function deniedGit(words: string[], runBranch?: string): string | undefined {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string)) i++;
  if (i < words.length && ["env", "command", "exec", "nohup", "sudo"].includes(words[i] as string)) i++;
  if (basename(words[i] ?? "") !== "git") return undefined;
  return judgeGit(words.slice(i + 1), runBranch)?.rule;
}

/** The simple commands in an invocation: a shell's `-c` script is split into its parts. */
function simpleCommands(command: string, args: readonly string[]): string[][] {
  const name = basename(command);
  const scriptAt = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
  if (["sh", "bash", "dash", "zsh"].includes(name) && scriptAt >= 0 && args[scriptAt + 1] !== undefined) {
    return splitScript(args[scriptAt + 1] as string);
  }
  if (args.length === 0 && /\s/.test(command)) return splitScript(command);
  return [[command, ...args]];
}

/** Splits shell text on ; && || | & and newlines, then into words (quotes respected). */
export function splitScript(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let quote: string | undefined;
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const char = script[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && i + 1 < script.length) word += script[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (";&|\n()`".includes(char) || (char === "$" && script[i + 1] === "(")) {
      endCommand();
    } else if (/\s/.test(char)) {
      endWord();
    } else {
      word += char;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
