import { fileURLToPath } from "node:url";

/** How gaffer starts itself as a subprocess (its scripted agent, the factory's supervisor and workers). */
export function gafferCommand(...args: string[]): string[] {
  const bin = fileURLToPath(new URL("../../bin/gaffer.js", import.meta.url));
  return [process.execPath, bin, ...args];
}
