/**
 * Small tools every layer uses: processes, agent-safe file access, printable text, globs, cron,
 * shell words and how gaffer starts itself.
 */
export { cacheDir, readCacheFile, writeCacheFile } from "./cache-file.ts";
export {
  type CheckedTexts,
  checkedKey,
  checkedTexts,
  recallChecked,
  rememberChecked,
} from "./checked-texts.ts";
export { cronProblem, nextFire } from "./cron.ts";
export { standbyDir, standbyDirs } from "./standby-dir.ts";
export {
  compilePathGlob,
  type GlobHit,
  globHit,
  isExclusion,
  literalGlob,
  matchesGlobs,
  wordGlobProblem,
  wordMatches,
} from "./glob.ts";
export {
  type GlobListProblem,
  type GlobProblem,
  pathGlobListProblems,
  pathGlobProblem,
} from "./glob-problems.ts";
export { type ErrorReport, errorReport } from "./error-report.ts";
export { backticks, fencedBlock } from "./markdown.ts";
export { printable, type TextShape } from "./printable.ts";
export { processStartTime } from "./process-identity.ts";
export {
  type CommandWrapper,
  killGroup,
  type ProcessOptions,
  type ProcessResult,
  runProcess,
  runShell,
} from "./process.ts";
export {
  type AgentFileRead,
  readAgentFile,
  type ReadAgentFileOptions,
  realDirectory,
  type Refusal,
  unsafeFileError,
  writeFreshFile,
  type WriteFreshOptions,
} from "./safe-fs.ts";
export { lowerPriority, placeStarted, type StartedProcess } from "./scheduling.ts";
export { gafferCommand } from "./self.ts";
export { joinShellWords, splitShellWords, splitSimpleCommands } from "./shell-words.ts";
