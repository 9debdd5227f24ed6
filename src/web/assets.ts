import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";

/** The dashboard's built front end, shipped in the package (`npm run build:ui` writes it). */
export const UI_DIST = resolve(import.meta.dirname, "..", "..", "ui", "dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface Asset {
  body: Uint8Array;
  type: string;
}

/** Every file of the bundle, read once at start: the page never asks for anything else. */
export function loadAssets(dir = UI_DIST): Map<string, Asset> {
  if (!existsSync(join(dir, "index.html"))) {
    throw new GafferError(
      "invalid-input",
      `the dashboard's front end is missing from ${dir}`,
      "run `npm run build:ui`",
    );
  }
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const url = `/${path
      .slice(dir.length + 1)
      .split("\\")
      .join("/")}`;
    assets.set(url, { body: readFileSync(path), type: TYPES[extname(path)] ?? "application/octet-stream" });
  }
  return assets;
}
