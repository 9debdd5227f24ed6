import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`; `.ci/run` installs it), or $GAFFER_CHROMIUM. */
export const CHROMIUM = process.env.GAFFER_CHROMIUM ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or false when they can. */
export function browserSkip(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `no chromium at ${CHROMIUM}: apt-get install chromium (or set GAFFER_CHROMIUM) to run the browser tests`;
}

/** Headless chromium with the flags DESIGN.md gives for tests. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
