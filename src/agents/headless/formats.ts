import type { HeadlessFormat } from "../types.ts";
import { claudeStream } from "./claude.ts";
import { codexStream } from "./codex.ts";
import { geminiStream } from "./gemini.ts";
import { opencodeStream } from "./opencode.ts";
import type { StreamParser } from "./stream.ts";

/** How one turn is started: the program's arguments, and its stdin when the prompt goes there. */
export interface Invocation {
  args: string[];
  input?: string;
}

interface FormatSpec {
  parser: StreamParser;
  invocation(prompt: string, model: string | undefined): Invocation;
}

const modelFlag = (flag: string, model: string | undefined) => (model === undefined ? [] : [flag, model]);

/**
 * Each CLI in its non-interactive JSON mode. The prompt goes on stdin wherever the CLI reads it
 * there (no argv size limit, nothing parsed as a flag); opencode only takes it as an argument,
 * after `--`.
 */
export const HEADLESS_FORMATS: Record<HeadlessFormat, FormatSpec> = {
  claude: {
    parser: claudeStream,
    invocation: (prompt, model) => ({
      args: ["-p", "--output-format", "stream-json", "--verbose", ...modelFlag("--model", model)],
      input: prompt,
    }),
  },
  codex: {
    parser: codexStream,
    invocation: (prompt, model) => ({
      args: ["exec", "--json", ...modelFlag("-m", model), "-"],
      input: prompt,
    }),
  },
  gemini: {
    parser: geminiStream,
    // Without -p, a piped stdin is the whole prompt and makes gemini non-interactive.
    invocation: (prompt, model) => ({
      args: ["-o", "stream-json", ...modelFlag("-m", model)],
      input: prompt,
    }),
  },
  opencode: {
    parser: opencodeStream,
    invocation: (prompt, model) => ({
      args: ["run", "--format", "json", ...modelFlag("-m", model), "--", prompt],
    }),
  },
};
