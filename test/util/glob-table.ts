/**
 * The glob rows every caller of util/glob.ts is tested with: the module itself, the deny and
 * allow rules of the integrity check, the vault's path rules and the git guard, so none drifts.
 */

/** A rule list (one entry, or entries with `!` exclusions) and the paths it does and does not cover. */
export interface PathRow {
  globs: string[];
  matches: string[];
  misses: string[];
}

export const PATH_ROWS: readonly PathRow[] = [
  // braces: choices and ranges
  {
    globs: ["**/*.{pem,key}"],
    matches: ["certs/x.pem", "x.key", "k/b/c.key"],
    misses: ["certs/x.pub", "x.pem.txt"],
  },
  { globs: ["logs/app{1..3}.txt"], matches: ["logs/app1.txt", "logs/app3.txt"], misses: ["logs/app4.txt"] },
  { globs: ["{src,lib}/**/*.ts"], matches: ["src/a.ts", "lib/x/b.ts"], misses: ["test/a.ts"] },
  // classes
  {
    globs: ["config/[ab]*.yml"],
    matches: ["config/a1.yml", "config/b.yml"],
    misses: ["config/c.yml", "config/x/a.yml"],
  },
  { globs: ["config/[!ab]*.yml"], matches: ["config/c.yml"], misses: ["config/a.yml"] },
  { globs: ["data/[[:digit:]]*.csv"], matches: ["data/1x.csv"], misses: ["data/x1.csv"] },
  { globs: ["ids/[a-c].txt"], matches: ["ids/b.txt"], misses: ["ids/d.txt", "ids/ab.txt"] },
  // extglobs
  { globs: ["src/*.+(js|ts)"], matches: ["src/a.ts", "src/b.js"], misses: ["src/a.md", "src/a.tsx"] },
  { globs: ["src/!(vendor)/**"], matches: ["src/app/x.ts"], misses: ["src/vendor/x.ts"] },
  { globs: ["docs/@(guide|faq).md"], matches: ["docs/faq.md"], misses: ["docs/other.md"] },
  // dotfiles are files like any other
  { globs: ["secrets/**"], matches: ["secrets/.env", "secrets/a/.key", "secrets/x"], misses: ["secretsx/a"] },
  { globs: ["**/.env"], matches: [".env", "app/.env"], misses: ["app/.envrc"] },
  { globs: ["src/*"], matches: ["src/.eslintrc", "src/a.ts"], misses: ["src/deep/a.ts"] },
  { globs: ["**"], matches: [".hidden/x", "x/y/z"], misses: [] },
  // ** at the start, in the middle, at the end
  { globs: ["**/test/*.ts"], matches: ["test/a.ts", "x/y/test/a.ts"], misses: ["test/x/a.ts"] },
  {
    globs: ["src/**/test/*.ts"],
    matches: ["src/test/a.ts", "src/x/y/test/a.ts"],
    misses: ["srcx/test/a.ts"],
  },
  { globs: ["src/**"], matches: ["src/a", "src/deep/er/a.ts"], misses: ["srcx/a"] },
  // ? stays within a name; ./ anchors a name at the root
  { globs: ["./a?b"], matches: ["a1b"], misses: ["a/b", "x/a1b"] },
  { globs: ["./*.md"], matches: ["README.md"], misses: ["docs/a.md"] },
  // a trailing / is everything under the directory
  { globs: ["docs/"], matches: ["docs/x/y.md", "docs/.keep"], misses: ["docsx/a"] },
  // literals
  { globs: ["gaffer.toml"], matches: ["gaffer.toml"], misses: ["sub/gaffer.toml"] },
  // exclusions, in any order
  {
    globs: ["secrets/**", "!secrets/README.md"],
    matches: ["secrets/.env"],
    misses: ["secrets/README.md", "README.md"],
  },
  { globs: ["!docs/**", "**/*.md"], matches: ["README.md", "src/a.md"], misses: ["docs/a.md", "src/a.ts"] },
];

/** Every path any row names: the tree the callers' tests commit. */
export const TABLE_PATHS: readonly string[] = [
  ...new Set(PATH_ROWS.flatMap((row) => [...row.matches, ...row.misses])),
].sort();

/** A path glob refused when a config file is read, and words its message and hint contain. */
export interface ProblemRow {
  globs: string[];
  message: RegExp;
  hint: RegExp;
}

export const PROBLEM_ROWS: readonly ProblemRow[] = [
  { globs: ["config/[ab*.yml"], message: /never closed/, hint: /"\[\[\]"/ },
  { globs: ["**/*.{pem,key"], message: /never closed/, hint: /"\[\{\]"/ },
  { globs: ["ids/a]b.txt"], message: /closes no "\["/, hint: /"\[\]\]"/ },
  { globs: ["**/*.{pem, key}"], message: /space after ","/, hint: /"\*\*\/\*\.\{pem,key\}"/ },
  { globs: ["ids/[z-a].txt"], message: /does not compile/, hint: /CONFIGURATION/ },
  { globs: ["*.pem"], message: /only at the project root/, hint: /"\*\*\/\*\.pem"/ },
  { globs: ["**.pem"], message: /whole segment/, hint: /"\*\*\/\*\.pem"/ },
  { globs: ["/etc/ssl/**"], message: /absolute path/, hint: /"etc\/ssl\/\*\*"/ },
  { globs: ["C:\\certs\\x.pem"], message: /absolute path/, hint: /"certs\/x\.pem"/ },
  { globs: ["certs\\*.pem"], message: /separated by "\/"/, hint: /"certs\/\*\.pem"/ },
  { globs: ["src/../certs/**"], message: /never matches/, hint: /"src\/certs\/\*\*"/ },
  { globs: ["certs//x.pem"], message: /never matches/, hint: /"certs\/x\.pem"/ },
  { globs: ["certs/x.pem "], message: /space/, hint: /"certs\/x\.pem"/ },
  { globs: ["ids/[0-9]+.txt"], message: /repeats the class/, hint: /"ids\/\[0-9\]\[\+\]\.txt"/ },
  { globs: ["!"], message: /excludes nothing/, hint: /"!docs\/\*\*"/ },
  { globs: ["!docs/**", "!src/**"], message: /matches nothing/, hint: /"\*\*"/ },
];

/** An sh `case` pattern of the git guard, and words it does and does not match. */
export interface WordRow {
  glob: string;
  matches: string[];
  misses: string[];
}

export const WORD_ROWS: readonly WordRow[] = [
  { glob: "-f*", matches: ["-f", "-fd", "-f/tmp/x"], misses: ["--force", "f"] },
  { glob: "-[!-]*f*", matches: ["-xdf", "-x/f"], misses: ["--force-with-lease", "-x"] },
  {
    glob: "[aA][lL][iI][aA][sS].*",
    matches: ["Alias.p", "alias.a/b", "alias.x\ny"],
    misses: ["aliases.p", "alias"],
  },
  { glob: "--contains*", matches: ["--contains", "--contains=refs/heads/x"], misses: ["--contain"] },
  { glob: "refs/stash", matches: ["refs/stash"], misses: ["refs/stashx", "refs/Stash"] },
  { glob: "a?c", matches: ["abc", "a/c", "a.c"], misses: ["ac", "abbc"] },
  { glob: "*", matches: ["", "x", "a/b", ".git"], misses: [] },
  { glob: "x.*", matches: ["x.", "x.y/z"], misses: ["xy"] },
];
