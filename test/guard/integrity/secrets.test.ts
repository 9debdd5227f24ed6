import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { checkSecrets } from "../../../src/guard/integrity/index.ts";
import type { KnownSecret } from "../../../src/guard/secrets/index.ts";
import { git, gitOut, testEnv, writeFiles } from "../../helpers/git.ts";
import { agentCommit, type IntegrityFixture, integrityFixture, recordedWork, RUN_BRANCH } from "./fixture.ts";

const VALUE = "s3cr3t-token-4242";
const KNOWN: KnownSecret[] = [{ value: VALUE, source: ".env (API_TOKEN)" }];

async function check(fx: IntegrityFixture, commitMessage = "Add a feature") {
  return checkSecrets(await recordedWork(fx, commitMessage), {
    baseCommit: fx.baseCommit,
    branch: RUN_BRANCH,
    known: KNOWN,
    severity: "block",
  });
}

/** The places of the findings as one line each, and a check that no finding shows the value. */
async function places(fx: IntegrityFixture, commitMessage?: string): Promise<string[]> {
  const findings = await check(fx, commitMessage);
  assert.ok(!JSON.stringify(findings).includes(VALUE), "no finding shows the value");
  assert.ok(findings.every((f) => f.check === "secrets" && f.severity === "block"));
  return findings.map((f) => f.message.replace(/[0-9a-f]{12}/g, "<sha>"));
}

describe("guard/integrity/secrets", () => {
  it("finds nothing in ordinary work", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/math.js": "export const add = (a, b) => b + a;\n" });
    writeFiles(fx.dir, { "src/sub.js": "export const sub = (a, b) => a - b;\n" });
    assert.deepEqual(await places(fx), []);
  });

  it("finds a secret in a commit even when a later commit removed it", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "src/config.js": `// settings\nexport const token = "${VALUE}";\n` });
    agentCommit(fx.dir, { "src/config.js": "// settings\nexport const token = process.env.API_TOKEN;\n" });
    assert.deepEqual(await places(fx), [
      "src/config.js:2 in commit <sha> holds the value of .env (API_TOKEN)",
    ]);
  });

  it("finds a secret in the uncommitted changes gaffer would commit, untracked files included", async (t) => {
    const fx = await integrityFixture(t);
    writeFiles(fx.dir, { "notes/leak.txt": `one\ntwo\n${Buffer.from(VALUE).toString("base64")}\n` });
    assert.deepEqual(await places(fx), [
      "notes/leak.txt:3 (uncommitted; gaffer would commit it) holds the value of .env (API_TOKEN) (base64)",
    ]);
  });

  it("blocks a change too large to scan, in commits or left uncommitted, and still scans its head", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "data/big.txt": `${VALUE}\n${"filler line\n".repeat(200)}` });
    writeFiles(fx.dir, { "data/more.txt": "more filler\n".repeat(200) });
    const findings = await checkSecrets(await recordedWork(fx), {
      baseCommit: fx.baseCommit,
      branch: RUN_BRANCH,
      known: KNOWN,
      severity: "block",
      maxPatchBytes: 1024,
    });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity]),
      [
        ["known-secret", "block"],
        ["too-large-to-scan", "block"],
      ],
    );
    assert.match(
      findings[1]?.message ?? "",
      /^the change is too large to scan for secrets \(over 1024 bytes of diff\)/,
    );
  });

  it("reads a file git calls binary as text", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "blob.bin": `\0\u0001binary ${VALUE}\n` });
    assert.deepEqual(await places(fx), ["blob.bin:1 in commit <sha> holds the value of .env (API_TOKEN)"]);
  });

  it("finds a secret in a commit message, an author, a committer, a file name, the branch and gaffer's message", async (t) => {
    const fx = await integrityFixture(t);
    agentCommit(fx.dir, { "a.txt": "a\n" }, `Fix it\n\nusing ${VALUE}`);
    writeFiles(fx.dir, { "b.txt": "b\n" });
    git(fx.dir, "add", "b.txt");
    execFileSync("git", ["-C", fx.dir, "commit", "-qm", "b"], {
      env: { ...testEnv(), GIT_AUTHOR_NAME: `Dev ${VALUE}`, GIT_COMMITTER_EMAIL: `${VALUE}@example.org` },
    });
    writeFiles(fx.dir, { [`leak-${VALUE}.txt`]: "harmless\n" });
    const found = await places(fx, `Item titled ${VALUE}`);
    assert.deepEqual(found.sort(), [
      "the author of commit <sha> holds the value of .env (API_TOKEN)",
      "the committer of commit <sha> holds the value of .env (API_TOKEN)",
      "the file name leak-[redacted].txt (uncommitted; gaffer would commit it) holds the value of .env (API_TOKEN)",
      "the message of commit <sha> holds the value of .env (API_TOKEN)",
      "the message of commit <sha> holds the value of .env (API_TOKEN)",
    ]);
  });

  it("finds a secret in an extra header of a commit object and in a side branch merged in", async (t) => {
    const fx = await integrityFixture(t);
    const tree = gitOut(fx.dir, "rev-parse", "HEAD^{tree}");
    const head = gitOut(fx.dir, "rev-parse", "HEAD");
    const raw = `tree ${tree}\nparent ${head}\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\nx-note ${VALUE}\n\nplain\n`;
    const forged = execFileSync("git", ["-C", fx.dir, "hash-object", "-t", "commit", "-w", "--stdin"], {
      input: raw,
      env: testEnv(),
      encoding: "utf8",
    }).trim();
    git(fx.dir, "checkout", "-q", "-b", "side", head);
    writeFiles(fx.dir, { "side.txt": `${[...VALUE].reverse().join("")}\n` });
    git(fx.dir, "add", "side.txt");
    git(fx.dir, "commit", "-qm", "side");
    git(fx.dir, "checkout", "-q", RUN_BRANCH);
    git(fx.dir, "merge", "-q", "--no-edit", "side", forged);
    const found = await places(fx);
    assert.deepEqual(found.sort(), [
      "side.txt:1 in commit <sha> holds the value of .env (API_TOKEN) (reversed)",
      "the x-note of commit <sha> holds the value of .env (API_TOKEN)",
    ]);
  });

  it("finds a well-known token with no known secret, but not one the change only moved", async (t) => {
    const token = `ghp_${"aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4"}`;
    const fx = await integrityFixture(t, { "test/fixture.js": `export const token = "${token}";\n` });
    agentCommit(fx.dir, { "test/fixture.js": `export const TOKEN = "${token}";\n` });
    assert.deepEqual(await places(fx), []);
    writeFiles(fx.dir, { "src/gh.js": `const auth = "${token.replace("aB3", "zZ9")}";\n` });
    assert.deepEqual(await places(fx), [
      "src/gh.js:1 (uncommitted; gaffer would commit it) holds a GitHub token",
    ]);
  });
});
