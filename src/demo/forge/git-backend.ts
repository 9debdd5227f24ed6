import { execFile, execFileSync, spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import type { Issue, Repo } from "./model.ts";

/**
 * Real git over HTTP: each request for `/<owner>/<name>.git/…` runs `git http-backend` (the CGI
 * program git ships) against the bare repository, so clones, fetches and pushes are git's own.
 */

/** A bare repository with `branch` as its HEAD, and receive-pack allowed for authenticated users. */
export function initBareRepo(gitDir: string, branch: string): void {
  execFileSync("git", ["init", "--quiet", "--bare", `--initial-branch=${branch}`, gitDir], { env: gitEnv() });
  execFileSync("git", ["-C", gitDir, "config", "http.receivepack", "true"], { env: gitEnv() });
}

/** The commit a branch or sha names in the bare repository, or undefined. */
export function resolveRef(gitDir: string, ref: string): string | undefined {
  for (const candidate of [`refs/heads/${ref}^{commit}`, `${ref}^{commit}`]) {
    try {
      return execFileSync("git", ["-C", gitDir, "rev-parse", "--verify", "--quiet", candidate], {
        env: gitEnv(),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

/** An open pull request's head and base follow their branches, as pushes move them. */
export function followBranches(repo: Repo, issue: Issue): Issue {
  if (issue.pull && issue.state === "open") {
    issue.pull.headSha = resolveRef(repo.gitDir, issue.pull.head) ?? issue.pull.headSha;
    issue.pull.baseSha = resolveRef(repo.gitDir, issue.pull.base) ?? issue.pull.baseSha;
  }
  return issue;
}

/** Passes one HTTP request to `git http-backend` and its CGI answer back. */
export function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  gitDir: string,
  pathInRepo: string,
  remoteUser: string | undefined,
): void {
  const url = new URL(req.url ?? "/", "http://fake");
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    GIT_PROJECT_ROOT: dirname(gitDir),
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${gitDir.split("/").at(-1)}${pathInRepo}`,
    REQUEST_METHOD: req.method ?? "GET",
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: "127.0.0.1",
    ...(remoteUser !== undefined && { REMOTE_USER: remoteUser }),
    ...(req.headers["content-encoding"] && { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] }),
    ...(req.headers["git-protocol"] && { GIT_PROTOCOL: String(req.headers["git-protocol"]) }),
  };
  const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "inherit"] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on("close", () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
}

/** Runs git in `dir` without blocking the event loop, which serves the fake forge's requests. */
export function runGit(dir: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-C", dir, ...args],
      { env: { ...gitEnv(), GIT_TERMINAL_PROMPT: "0" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0]}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
}
