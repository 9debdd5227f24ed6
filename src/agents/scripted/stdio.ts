import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import { createScriptedAgent } from "./agent.ts";
import { loadScenarioFile } from "./scenario.ts";

/**
 * Serves the scripted agent over this process's stdin/stdout (ndjson ACP) until the client
 * disconnects. `gaffer agent scripted [--scenario FILE]` calls this. A bad scenario file
 * rejects before any ACP traffic, with GafferError("invalid-input").
 */
export async function runScriptedAgentOverStdio(scenarioPath?: string): Promise<void> {
  const scenario = scenarioPath === undefined ? undefined : await loadScenarioFile(scenarioPath);
  const app = createScriptedAgent({
    ...(scenario ? { scenario } : {}),
    crash: (code, message) => {
      // stderr is a pipe, written synchronously on Linux, so the message survives the exit.
      process.stderr.write(`${message}\n`);
      process.exit(code);
    },
  });
  const connection = app.connect(
    acp.ndJsonStream(
      Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
      Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    ),
  );
  await connection.closed;
}
