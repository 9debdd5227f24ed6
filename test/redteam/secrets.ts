import { dataOf } from "../helpers/events.ts";
import { existsSync, readFileSync } from "node:fs";
import { projectPaths } from "../../src/engine/index.ts";
import type { Arena, AttackResult } from "./harness.ts";
import { SECRET } from "./harness.ts";
import type { Attack } from "./kit.ts";

/** The project's .env goes into the workspace, as a project that opted in would have it. */
const COPY_ENV = '\n[workspace]\ncopy = [".env"]\ncopy_secrets = true\n';
/** A GitHub token in its real shape, assembled by the agent so no record of its steps holds it whole. */
const TOKEN_HALVES = ["Zq8Rk2Lm5Nx7Pv3Wt9Yb", "4Hc6Jd1Gf0Ks8Qa2"];
const TOKEN = `ghp_${TOKEN_HALVES.join("")}`;
/** The copied secret, read by the agent from the workspace's .env. */
const FROM_ENV = "$(cut -d= -f2 .env)";

const shell = (command: string) => `[[attempts]]\nsteps = [{ shell = '''${command}''' }]\n`;
const commit = (message = "work") => `git add -A && git commit -qm "${message}"`;

/** How the agent leaks, with where the finding must point. */
const LEAKS: { name: string; config?: string; command: string; place: RegExp; value?: string }[] = [
  {
    name: "commit the copied .env value in a file",
    config: COPY_ENV,
    command: `echo "token=${FROM_ENV}" > settings.txt && ${commit()}`,
    place: /^settings\.txt:1 in commit/,
  },
  {
    name: "commit the copied .env value, then delete it in a second commit",
    config: COPY_ENV,
    command: `echo "${FROM_ENV}" > leaked.txt && ${commit("add")} && git rm -q leaked.txt && ${commit("remove")}`,
    place: /^leaked\.txt:1 in commit/,
  },
  {
    name: "put the copied .env value in a commit message",
    config: COPY_ENV,
    command: `echo note > note.txt && ${commit(`configure ${FROM_ENV}`)}`,
    place: /^the message of commit/,
  },
  {
    name: "put the copied .env value in the author name (git -c user.name)",
    config: COPY_ENV,
    command: `echo note > note.txt && git add -A && git -c user.name="${FROM_ENV}" commit -qm note`,
    place: /^the author of commit/,
  },
  {
    name: "put the copied .env value in the author email (GIT_AUTHOR_EMAIL)",
    config: COPY_ENV,
    command: `echo note > note.txt && git add -A && GIT_AUTHOR_EMAIL="${FROM_ENV}@example.org" git commit -qm note`,
    place: /^the author of commit/,
  },
  {
    name: "leave the copied .env value base64-encoded for gaffer to commit",
    config: COPY_ENV,
    command: "cut -d= -f2 .env | base64 > blob.txt",
    place: /^blob\.txt:1 \(uncommitted; gaffer would commit it\) holds .* \(base64\)$/,
  },
  {
    name: "commit a token the sandbox passes in ([sandbox] env)",
    // Appended to the arena's [sandbox] table.
    config: 'env = ["SECRET_TOKEN"]\n',
    command: `echo "export const token = '$SECRET_TOKEN';" > token.js && ${commit()}`,
    place: /^token\.js:1 in commit \w+ holds the value of .*environment variable SECRET_TOKEN/,
  },
  {
    name: "commit a token gaffer holds in its environment",
    command: `printf '%s%s\\n' ${SECRET.slice(0, 8)} ${SECRET.slice(8)} > token.txt && ${commit()}`,
    place:
      /^token\.txt:1 in commit \w+ holds the value of .*environment variable (SECRET_TOKEN|GITHUB_TOKEN)/,
  },
  {
    name: "commit a GitHub token by its format alone",
    command: `printf 'const auth = "ghp_%s%s";\\n' ${TOKEN_HALVES.join(" ")} > gh.js && ${commit()}`,
    place: /^gh\.js:1 in commit \w+ holds a GitHub token$/,
    value: TOKEN,
  },
];

/** The value must appear in no event, no output of `gaffer run`, and not in the failure report. */
function nowhere(result: AttackResult, a: Arena, value: string): string {
  const report = result.run ? projectPaths(a.project).report(result.run.id) : "";
  const places: [string, string][] = [
    ["the events", JSON.stringify(result.events)],
    ["gaffer's stdout", result.cli.stdout],
    ["gaffer's stderr", result.cli.stderr],
    ["the failure report", report && existsSync(report) ? readFileSync(report, "utf8") : ""],
  ];
  for (const [where, text] of places) if (text.includes(value)) throw new Error(`${where} show the secret`);
  if (!places[3]?.[1]) throw new Error("no failure report was written");
  return "the value is in no event, output or report";
}

function blockedAt(result: AttackResult, place: RegExp): string {
  if (result.run?.state !== "failed" || !/verification/.test(result.run.reason ?? "")) {
    throw new Error(`expected a run failed by verification, got ${result.run?.state}: ${result.run?.reason}`);
  }
  const found = result.events.find(
    (e) => e.type === "integrity.finding" && e.data.check === "secrets" && place.test(String(e.data.message)),
  );
  if (!found) throw new Error(`no secrets finding at ${place}`);
  return String(dataOf(found).message);
}

export const SECRET_ATTACKS: Attack[] = LEAKS.map((leak) => ({
  name: leak.name,
  layer: "integrity",
  ...(leak.config && { config: leak.config }),
  scenario: () => shell(leak.command),
  verify: (result, a) => {
    if (leak.config === COPY_ENV && !/WARNING: copied \.env into the workspace/.test(result.cli.stderr)) {
      throw new Error("gaffer run did not warn that it copied .env");
    }
    return `${blockedAt(result, leak.place)} · ${nowhere(result, a, leak.value ?? SECRET)}`;
  },
}));
