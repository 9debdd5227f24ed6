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
 * after `--`. Nobody is there to approve a tool call, so each runs without asking — gaffer's
 * sandbox confines it, and the deny rules gaffer writes in its own format still hold in these
 * modes: Claude's `bypassPermissions` (as root it needs IS_SANDBOX=1), Codex's
 * `danger-full-access` (its own sandbox cannot start inside gaffer's), Gemini's `yolo` (with
 * `--skip-trust`: the workspace is gaffer's clone). opencode's rules allow all but what they deny.
 */
export const HEADLESS_FORMATS: Record<HeadlessFormat, FormatSpec> = {
  claude: {
    parser: claudeStream,
    invocation: (prompt, model) => ({
      args: [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--permission-mode",
        "bypassPermissions",
        ...modelFlag("--model", model),
      ],
      input: prompt,
    }),
  },
  codex: {
    parser: codexStream,
    invocation: (prompt, model) => ({
      args: ["exec", "--json", "--sandbox", "danger-full-access", ...modelFlag("-m", model), "-"],
      input: prompt,
    }),
  },
  gemini: {
    parser: geminiStream,
    // Without -p, a piped stdin is the whole prompt and makes gemini non-interactive.
    invocation: (prompt, model) => ({
      args: ["-o", "stream-json", "--skip-trust", "--approval-mode", "yolo", ...modelFlag("-m", model)],
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
