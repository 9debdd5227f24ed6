export { compressCheck, compressFailure, failureSignature } from "./compress.ts";
export { preflightGate } from "./preflight.ts";
export { type GateRunOptions, runGate } from "./runner.ts";
export type { GateCommand, GateExecution, GateOutcome } from "./types.ts";
