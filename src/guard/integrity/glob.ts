/**
 * Path globs for allowPaths/denyPaths, matched against the whole slash-separated path from the
 * workspace root: `**` spans any number of directories, `*` and `?` stay within one name, and a
 * trailing `/` means everything under that directory. Unlike node:path's matchesGlob (still
 * experimental in Node 22), `*` and `**` also match names starting with a dot, so that a deny
 * pattern like `secrets/**` cannot be dodged with `secrets/.env`.
 */
export function matchesGlob(path: string, glob: string): boolean {
  return globRegExp(glob).test(path);
}

/** Whether `path` matches any of `globs`. */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(path, glob));
}

const cache = new Map<string, RegExp>();

function globRegExp(glob: string): RegExp {
  let regexp = cache.get(glob);
  if (!regexp) {
    regexp = new RegExp(`^${translate(glob.endsWith("/") ? `${glob}**` : glob)}$`);
    cache.set(glob, regexp);
  }
  return regexp;
}

function translate(glob: string): string {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? "";
    if (glob.startsWith("**/", i) && (i === 0 || glob[i - 1] === "/")) {
      source += "(?:.*/)?";
      i += 2;
    } else if (glob.startsWith("**", i) && (i === 0 || glob[i - 1] === "/") && i + 2 === glob.length) {
      source += ".*";
      i += 1;
    } else if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return source;
}
