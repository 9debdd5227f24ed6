#!/usr/bin/env node
// gaffer's entry point on Node >= 22.13 (node:sqlite, type stripping). `bin/gaffer` starts it on the
// Node that `npm ci` installed, so a checkout works whatever the system's Node is.
import { existsSync, readdirSync, statSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `gaffer: needs Node.js 22.13 or newer, found ${process.versions.node} — start it with ${join(root, "bin", "gaffer")} after \`npm ci\`, or install Node 22\n`,
  );
  process.exit(69);
}

// Cached compiled code (in the OS temp dir) makes every later start faster.
module.enableCompileCache?.();

// node:sqlite is stable in use but still flagged experimental; its warning is noise for users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === "string" ? warning : warning?.message;
  if (typeof text === "string" && text.includes("SQLite is an experimental feature")) return;
  return emitWarning.call(process, warning, ...rest);
};

// A reader that went away (`gaffer logs 1 | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The build (`npm run build`, run by `npm ci`) loads only what a command needs; a checkout whose
// sources are newer than its build runs the sources.
const built = join(root, "dist", "gaffer", "main.js");
const fromBuild = existsSync(built) && !newerThan(join(root, "src"), statSync(built).mtimeMs);
// `gaffer run` goes to this user's standby process when one is ready (`gaffer warm` starts it).
const inStandby =
  fromBuild && process.argv.includes("run")
    ? await (
        await import(pathToFileURL(join(root, "dist", "gaffer", "standby-client.js")).href)
      ).runInStandby(process.argv)
    : undefined;
if (inStandby !== undefined) process.exitCode = inStandby;
else {
  const { main } = await import(pathToFileURL(fromBuild ? built : join(root, "src", "cli", "main.ts")).href);
  process.exitCode = await main(process.argv);
}

function newerThan(dir, time) {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Concatenation, not path.join: this walk runs on every start, before anything is warm.
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory() ? newerThan(path, time) : statSync(path).mtimeMs > time) return true;
  }
  return false;
}
