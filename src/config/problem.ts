import { relative } from "node:path";
import { GafferError } from "../errors.ts";
import { locateKey } from "./locate.ts";

/** The file as the user would type it: relative to the current directory when inside it. */
export function shownPath(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd && !fromCwd.startsWith("..") ? fromCwd : file;
}

/** A problem found after the schema passed (a duplicate, a dangling name), at the line of `path`. */
export function problemAt(
  file: string,
  text: string,
  path: readonly (string | number)[],
  message: string,
  hint: string,
): GafferError {
  const line = locateKey(text, path);
  return new GafferError("config-invalid", `${shownPath(file)}${line ? `:${line}` : ""}: ${message}`, hint);
}
