// Run under a terminal (script(1)), with a sandbox policy in PROBE_POLICY: prints whether a plain
// child of this process, and a command in the sandbox started as gaffer starts it, can open it.
import { spawnSync } from "node:child_process";
import { createSandbox, type SandboxPolicy } from "../../src/sandbox/index.ts";
import { runProcess } from "../../src/util/index.ts";

const policy = JSON.parse(process.env.PROBE_POLICY ?? "{}") as SandboxPolicy;
const tryTerminal = "if (exec 3</dev/tty) 2>/dev/null; then echo terminal; else echo none; fi";
const plain = spawnSync("/bin/sh", ["-c", tryTerminal], { encoding: "utf8" }).stdout.trim();
const sandbox = createSandbox(policy, "bwrap");
const confined = await runProcess("/bin/sh", ["-c", tryTerminal], {
  cwd: policy.workspace,
  wrap: (argv, options) => sandbox.wrap(argv, options),
});
await sandbox.close();
process.stdout.write(`${JSON.stringify({ plain, confined: confined.output.trim() })}\n`);
