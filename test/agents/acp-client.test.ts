import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import * as acp from "@agentclientprotocol/sdk";
import { startAcpSession } from "../../src/agents/acp/session.ts";
import { inProcessTransport } from "../../src/agents/acp/transport.ts";
import type { CommandPolicy } from "../../src/agents/types.ts";
import { tempDir } from "../helpers/tmp.ts";
import {
  isAlive,
  outcome,
  PROMPT,
  type ProbeTurn,
  probeAgent,
  recordingContext,
  stubPolicy,
} from "./helpers.ts";

/** Runs one turn of a probe agent against a fresh session; returns what the client recorded. */
async function probe(
  t: TestContext,
  body: (turn: ProbeTurn) => Promise<acp.StopReason | undefined>,
  policy: CommandPolicy = stubPolicy(),
) {
  const workspace = tempDir(t, "gaffer-ws-");
  const recorder = recordingContext(workspace, {
    policy,
    env: { PATH: process.env.PATH, FROM_CONTEXT: "ctx" },
  });
  const session = await startAcpSession(inProcessTransport(probeAgent(body)), recorder.context);
  t.after(() => session.close());
  const result = await session.prompt({ ...PROMPT, text: "go" });
  return { ...recorder, workspace, result, session };
}

const ALL_OPTIONS: acp.PermissionOption[] = [
  { optionId: "aa", name: "Always allow", kind: "allow_always" },
  { optionId: "ra", name: "Always reject", kind: "reject_always" },
  { optionId: "ao", name: "Allow", kind: "allow_once" },
  { optionId: "ro", name: "Reject", kind: "reject_once" },
];

describe("agents/acp client session", () => {
  test("sends cwd = workspace and _meta.gaffer with the prompt", async (t) => {
    let seen: ProbeTurn | undefined;
    const { workspace, result } = await probe(t, async (turn) => {
      seen = turn;
      return "max_tokens";
    });
    assert.equal(result.stopReason, "max_tokens");
    assert.equal(seen?.cwd, realpathSync(workspace));
    assert.deepEqual(seen?.params._meta, { gaffer: { attempt: 1, runId: 7, itemId: 3 } });
    assert.deepEqual(seen?.params.prompt, [{ type: "text", text: "go" }]);
  });

  test("maps every session update kind", async (t) => {
    const { updates } = await probe(t, async ({ client, sessionId }) => {
      const send = (update: acp.SessionUpdate) =>
        client.notify(acp.methods.client.session.update, { sessionId, update });
      await send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text: "hi" } });
      await send({
        sessionUpdate: "agent_message_chunk",
        content: { type: "image", data: "", mimeType: "image/png" },
      });
      await send({ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: "hmm" } });
      await send({
        sessionUpdate: "plan",
        entries: [{ content: "a", priority: "low", status: "completed" }],
      });
      await send({ sessionUpdate: "tool_call", toolCallId: "t1", title: "ls", kind: "execute" });
      await send({
        sessionUpdate: "tool_call_update",
        toolCallId: "t1",
        status: "completed",
        title: "ls -l",
      });
      await send({ sessionUpdate: "usage_update", used: 10, size: 100 });
      await send({ sessionUpdate: "user_message_chunk", content: { type: "text", text: "echo" } });
      return undefined;
    });
    assert.deepEqual(updates.slice(0, 7), [
      { kind: "message", text: "hi" },
      { kind: "message", text: "[image]" },
      { kind: "thought", text: "hmm" },
      { kind: "plan", entries: [{ content: "a", status: "completed" }] },
      { kind: "tool-call", id: "t1", title: "ls", status: "pending", toolKind: "execute" },
      { kind: "tool-call-update", id: "t1", status: "completed", title: "ls -l" },
      { kind: "usage", used: 10, size: 100 },
    ]);
    assert.equal(updates[7]?.kind, "other");
    assert.equal(updates[7]?.kind === "other" && updates[7].type, "user_message_chunk");
  });

  test("permission: picks allow_once or reject_once, never an always option", async (t) => {
    const answers: acp.RequestPermissionOutcome[] = [];
    const { of } = await probe(
      t,
      async ({ client, sessionId }) => {
        const ask = async (toolCall: acp.ToolCallUpdate, options = ALL_OPTIONS) => {
          const { outcome } = await client.request(acp.methods.client.session.requestPermission, {
            sessionId,
            toolCall,
            options,
          });
          answers.push(outcome);
        };
        await ask({ toolCallId: "1", title: "Run tests", rawInput: { command: "npm test" } });
        await ask({ toolCallId: "2", title: "Push", rawInput: { command: "git push origin HEAD" } });
        await ask({ toolCallId: "3", title: "git push --force" });
        await ask({ toolCallId: "4", title: "x", rawInput: { command: ["git", "push"] } });
        await ask({ toolCallId: "5", title: "npm test" }, ALL_OPTIONS.slice(0, 2));
        return undefined;
      },
      stubPolicy("git push"),
    );
    assert.deepEqual(answers, [
      { outcome: "selected", optionId: "ao" },
      { outcome: "selected", optionId: "ro" },
      { outcome: "selected", optionId: "ro" },
      { outcome: "selected", optionId: "ro" },
      { outcome: "cancelled" },
    ]);
    assert.deepEqual(
      of("permission").map((u) => [u.command, u.decision, u.rule]),
      [
        ["npm test", "allow", undefined],
        ["git push origin HEAD", "reject", "git push"],
        ["git push --force", "reject", "git push"],
        ["git push", "reject", "git push"],
        ["npm test", "reject", undefined],
      ],
    );
  });

  test("permission: judges a tool call by the files it touches, resolved through symlinks", async (t) => {
    const outside = tempDir(t, "gaffer-outside-");
    const answers: string[] = [];
    const { of } = await probe(t, async ({ client, sessionId, cwd }) => {
      mkdirSync(join(cwd, ".git"));
      symlinkSync(outside, join(cwd, "out"));
      const ask = async (kind: acp.ToolKind, path: string) => {
        const { outcome } = await client.request(acp.methods.client.session.requestPermission, {
          sessionId,
          toolCall: {
            toolCallId: path,
            title: `${kind} ${path}`,
            kind,
            locations: [{ path: `${cwd}/${path}` }],
          },
          options: ALL_OPTIONS,
        });
        answers.push(outcome.outcome === "selected" ? outcome.optionId : "cancelled");
      };
      await ask("edit", "src/new.js");
      await ask("edit", "out/planted.sh");
      await ask("edit", "out/../x");
      await ask("delete", "../../etc");
      await ask("read", ".git/config");
      await ask("edit", ".git/config");
      return undefined;
    });
    assert.deepEqual(answers, ["ao", "ro", "ro", "ro", "ao", "ro"]);
    assert.deepEqual(
      of("permission").map((u) => [u.toolKind, u.decision, u.rule?.replace(/ of \S+:/, ":")]),
      [
        ["edit", "allow", undefined],
        ["edit", "reject", "edit: outside the workspace"],
        ["edit", "reject", "edit: outside the workspace"],
        ["delete", "reject", "delete: outside the workspace"],
        ["read", "allow", undefined],
        ["edit", "reject", "edit: inside .git"],
      ],
    );
  });
});

describe("agents/acp client fs", () => {
  test("reads and writes inside the workspace, with line and limit", async (t) => {
    let read = "";
    const { workspace, of } = await probe(t, async ({ client, sessionId, cwd }) => {
      await client.request(acp.methods.client.fs.writeTextFile, {
        sessionId,
        path: join(cwd, "deep/new/f.txt"),
        content: "1\n2\n3\n4\n",
      });
      read = (
        await client.request(acp.methods.client.fs.readTextFile, {
          sessionId,
          path: "deep/new/f.txt",
          line: 2,
          limit: 2,
        })
      ).content;
      return undefined;
    });
    assert.equal(read, "2\n3");
    assert.ok(existsSync(join(workspace, "deep/new/f.txt")));
    assert.deepEqual(of("file-write"), [{ kind: "file-write", path: "deep/new/f.txt", bytes: 8 }]);
    assert.deepEqual(of("file-read"), [{ kind: "file-read", path: "deep/new/f.txt" }]);
  });

  test("refuses paths outside the workspace: absolute, .., symlinked dir, dangling symlink", async (t) => {
    const outside = tempDir(t, "gaffer-outside-");
    writeFileSync(join(outside, "secret.txt"), "secret");
    const results: string[] = [];
    const { workspace, of } = await probe(t, async ({ client, sessionId, cwd }) => {
      symlinkSync(outside, join(cwd, "link"));
      symlinkSync(join(outside, "planted.txt"), join(cwd, "dangling"));
      mkdirSync(join(cwd, "sub"));
      const read = (path: string) => client.request(acp.methods.client.fs.readTextFile, { sessionId, path });
      const write = (path: string) =>
        client.request(acp.methods.client.fs.writeTextFile, { sessionId, path, content: "x" });
      for (const call of [
        read(join(outside, "secret.txt")),
        read(join(cwd, "sub/../../", "secret.txt")),
        read("link/secret.txt"),
        read(join(outside, "missing.txt")),
        write(join(outside, "new.txt")),
        write(`${cwd}/../escape.txt`),
        write("link/new.txt"),
        write("dangling"),
        read("missing-inside.txt"),
      ]) {
        results.push(await outcome(call));
      }
      return undefined;
    });
    assert.equal(results.length, 9);
    for (const message of results.slice(0, 6)) assert.match(message, /denied: outside the workspace/);
    assert.match(results[6] ?? "", /write of link\/new\.txt denied: outside the workspace/);
    assert.match(results[7] ?? "", /write of dangling denied: cannot resolve path \(dangling symlink\)/);
    assert.match(results[8] ?? "", /not found/i);
    assert.ok(!existsSync(join(outside, "new.txt")) && !existsSync(join(outside, "planted.txt")));
    assert.ok(!existsSync(join(workspace, "../escape.txt")));
    assert.deepEqual(
      of("file-denied")
        .map((u) => u.operation)
        .sort(),
      ["read", "read", "read", "read", "write", "write", "write", "write"],
    );
    assert.deepEqual(of("file-read"), []);
  });
});

describe("agents/acp client fs: hostile files in the workspace", () => {
  test("a FIFO, a directory and a file over the cap are refused at once, never read", async (t) => {
    const results: string[] = [];
    const { of } = await probe(t, async ({ client, sessionId, cwd }) => {
      execFileSync("mkfifo", [join(cwd, "pipe")]);
      mkdirSync(join(cwd, "dir"));
      writeFileSync(join(cwd, "huge"), "");
      truncateSync(join(cwd, "huge"), 64 * 1024 * 1024);
      for (const path of ["pipe", "dir", "huge"]) {
        results.push(await outcome(client.request(acp.methods.client.fs.readTextFile, { sessionId, path })));
      }
      return undefined;
    });
    assert.match(results[0] ?? "", /read of pipe denied: .*\(fifo\)/);
    assert.match(results[1] ?? "", /read of dir denied: .*\(directory\)/);
    assert.match(results[2] ?? "", /read of huge denied: .*\(too-big\)/);
    assert.deepEqual(of("file-read"), []);
  });

  test("a write replaces a FIFO or a hard link in place instead of writing into it", async (t) => {
    const outside = tempDir(t, "gaffer-outside-");
    writeFileSync(join(outside, "linked.txt"), "original");
    const { workspace } = await probe(t, async ({ client, sessionId, cwd }) => {
      execFileSync("mkfifo", [join(cwd, "pipe")]);
      linkSync(join(outside, "linked.txt"), join(cwd, "hard.txt"));
      for (const path of ["pipe", "hard.txt"]) {
        await client.request(acp.methods.client.fs.writeTextFile, { sessionId, path, content: "new" });
      }
      return undefined;
    });
    assert.equal(readFileSync(join(workspace, "pipe"), "utf8"), "new");
    assert.equal(readFileSync(join(workspace, "hard.txt"), "utf8"), "new");
    assert.equal(readFileSync(join(outside, "linked.txt"), "utf8"), "original");
  });
});

describe("agents/acp client terminals", () => {
  test("runs commands with merged env, honours outputByteLimit and reports exits", async (t) => {
    const outputs: acp.TerminalOutputResponse[] = [];
    const { of } = await probe(t, async ({ client, sessionId }) => {
      for (const [args, outputByteLimit] of [
        [["-c", 'echo "$FROM_CONTEXT $FROM_REQUEST"; pwd'], undefined],
        [["-c", "printf 0123456789abcdef; exit 2"], 4],
      ] as const) {
        const terminal = await client.createTerminal({
          sessionId,
          command: "sh",
          args: [...args],
          env: [{ name: "FROM_REQUEST", value: "req" }],
          outputByteLimit,
        });
        await terminal.waitForExit();
        outputs.push(await terminal.currentOutput());
        await terminal.release();
      }
      return undefined;
    });
    assert.match(outputs[0]?.output ?? "", /^ctx req\n\/.*gaffer-ws-/);
    assert.deepEqual(outputs[1], {
      output: "cdef",
      truncated: true,
      exitStatus: { exitCode: 2, signal: null },
    });
    assert.deepEqual(
      of("terminal").map((u) => u.exitCode),
      [0, 2],
    );
  });

  test("refuses what the policy denies, including inside sh -c, and a cwd outside the workspace", async (t) => {
    const outside = tempDir(t, "gaffer-outside-");
    const results: string[] = [];
    const { of } = await probe(
      t,
      async ({ client, sessionId }) => {
        const create = (command: string, args: string[], cwd?: string) =>
          outcome(client.createTerminal({ sessionId, command, args, cwd }));
        results.push(await create("git", ["push", "origin", "main"]));
        results.push(await create("bash", ["-c", "npm test && git push"]));
        results.push(await create("ls", [], outside));
        results.push(await create("true", []));
        return undefined;
      },
      stubPolicy("git push"),
    );
    assert.match(results[0] ?? "", /command denied by gaffer policy rule "git push": git push origin main/);
    assert.match(results[1] ?? "", /rule "git push"/);
    assert.match(results[2] ?? "", /terminal cwd must be inside the workspace/);
    assert.equal(results[3], "ok");
    assert.deepEqual(
      of("terminal").filter((u) => u.denied),
      [
        { kind: "terminal", command: "git push origin main", exitCode: null, denied: "git push" },
        { kind: "terminal", command: "bash -c 'npm test && git push'", exitCode: null, denied: "git push" },
      ],
    );
  });

  test("kill stops a command; close kills terminals the agent left running", async (t) => {
    let killed: acp.WaitForTerminalExitResponse | undefined;
    let pidFile = "";
    const { session } = await probe(t, async ({ client, sessionId, cwd }) => {
      const sleeper = await client.createTerminal({ sessionId, command: "sleep", args: ["30"] });
      await sleeper.kill();
      killed = await sleeper.waitForExit();
      pidFile = join(cwd, "pid");
      await client.createTerminal({
        sessionId,
        command: "sh",
        args: ["-c", `echo $$ > ${pidFile}; exec sleep 30`],
      });
      // The shell creates the file before it writes the pid: wait for the whole line.
      while (!existsSync(pidFile) || !readFileSync(pidFile, "utf8").endsWith("\n"))
        await new Promise((r) => setTimeout(r, 10));
      return undefined;
    });
    assert.deepEqual(killed, { exitCode: null, signal: "SIGTERM" });
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(isAlive(pid));
    await session.close();
    assert.ok(!isAlive(pid));
  });
});
