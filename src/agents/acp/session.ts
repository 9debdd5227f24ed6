import { realpath } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import * as acp from "@agentclientprotocol/sdk";
import { GafferError, messageOf } from "../../errors.ts";
import type { AgentSession, PromptRequest, SessionContext, TurnResult } from "../types.ts";
import { buildClientApp, CLIENT_CAPABILITIES, connectClient } from "./client-app.ts";
import { cancelledPermission, decidePermission } from "./permissions.ts";
import { Terminals } from "./terminals.ts";
import type { AgentTransport } from "./transport.ts";
import { turnUsage } from "./turn-usage.ts";
import { WorkspaceFs } from "./workspace-fs.ts";

export interface AcpSessionOptions {
  /** How long a cancelled turn may take to end before the agent is killed. Default 3 s. */
  cancelGraceMs?: number;
  /** How long `initialize` plus `session/new` may take. Default 60 s. */
  startTimeoutMs?: number;
}

/** How long to wait for the process's exit status after the connection broke. */
const EXIT_WAIT_MS = 1000;

type Outcome<T> =
  { kind: "done"; value: T } | { kind: "failed"; error: unknown } | { kind: "exited"; description: string };

/**
 * Opens an ACP session with cwd = the workspace over the given transport.
 * Throws GafferError("agent-failed") when the agent does not complete the handshake.
 */
export async function startAcpSession(
  transport: AgentTransport,
  context: SessionContext,
  options: AcpSessionOptions = {},
): Promise<AgentSession> {
  const session = new AcpClientSession(transport, context, await realpath(context.workspace), options);
  await session.start(options.startTimeoutMs ?? 60_000);
  return session;
}

class AcpClientSession implements AgentSession {
  readonly #transport: AgentTransport;
  readonly #context: SessionContext;
  readonly #root: string;
  readonly #cancelGraceMs: number;
  readonly #terminals: Terminals;
  readonly #fs: WorkspaceFs;
  readonly #connection: acp.ClientConnection;
  #sessionId = "";
  #current: Promise<TurnResult> | undefined;
  #cancelling = false;
  #closed = false;

  constructor(transport: AgentTransport, context: SessionContext, root: string, options: AcpSessionOptions) {
    this.#transport = transport;
    this.#context = context;
    this.#root = root;
    this.#cancelGraceMs = options.cancelGraceMs ?? 3000;
    const fs = new WorkspaceFs(root, context.onUpdate);
    this.#fs = fs;
    this.#terminals = new Terminals(context, fs);
    const app = buildClientApp({
      onUpdate: (update) => context.onUpdate(update),
      requestPermission: (request) => this.#permission(request),
      fs,
      terminals: this.#terminals,
    });
    this.#connection = connectClient(app, transport.target);
  }

  async start(timeoutMs: number): Promise<void> {
    const timer = setTimeout(
      () => this.#connection.close(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const outcome = await outcomeOf(this.#handshake(), this.#transport.exited);
    clearTimeout(timer);
    if (outcome.kind === "done") {
      this.#sessionId = outcome.value;
      return;
    }
    const reason = (await this.#failure(outcome)).replaceAll("\n", " | ");
    await this.close();
    throw new GafferError(
      "agent-failed",
      `agent did not start an ACP session: ${reason}`,
      "run the agent command by hand: it must speak ACP (ndjson JSON-RPC) on stdin/stdout",
    );
  }

  async prompt(request: PromptRequest): Promise<TurnResult> {
    if (this.#closed || this.#connection.signal.aborted) {
      return { stopReason: "error", error: "the agent session has ended" };
    }
    this.#cancelling = false;
    const turn = this.#turn(request);
    this.#current = turn;
    try {
      return await turn;
    } finally {
      this.#current = undefined;
    }
  }

  async cancel(): Promise<void> {
    if (this.#closed) return;
    this.#cancelling = true;
    await this.#connection.agent
      .notify(acp.methods.agent.session.cancel, { sessionId: this.#sessionId })
      .catch(() => {});
    void this.#terminals.killAll();
    const turn = this.#current;
    if (!turn) return;
    const ended = await Promise.race([turn.then(() => true), delay(this.#cancelGraceMs, false)]);
    if (!ended) await this.#shutdown();
    await turn;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelling = true;
    await this.#shutdown();
  }

  async #handshake(): Promise<string> {
    const agent = this.#connection.agent;
    await agent.request(acp.methods.agent.initialize, {
      protocolVersion: acp.PROTOCOL_VERSION,
      clientCapabilities: CLIENT_CAPABILITIES,
      clientInfo: { name: "gaffer", version: "0.1.0" },
    });
    const { sessionId } = await agent.request(acp.methods.agent.session.new, {
      cwd: this.#root,
      mcpServers: [],
    });
    return sessionId;
  }

  async #turn(request: PromptRequest): Promise<TurnResult> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.cancel();
    }, this.#context.turnTimeoutMs);
    const work = this.#connection.agent.request(acp.methods.agent.session.prompt, {
      sessionId: this.#sessionId,
      prompt: [{ type: "text", text: request.text }],
      _meta: {
        gaffer: {
          attempt: request.attempt,
          runId: request.runId,
          itemId: request.itemId,
          ...(request.review !== undefined && { review: request.review }),
        },
      },
    });
    const outcome = await outcomeOf(work, this.#transport.exited);
    clearTimeout(timer);
    if (timedOut) return { stopReason: "timeout" };
    if (this.#cancelling) return { stopReason: "cancelled" };
    if (outcome.kind === "done") {
      this.#reportTurnUsage(outcome.value);
      return { stopReason: outcome.value.stopReason };
    }
    const error = await this.#failure(outcome);
    const killedBy = this.#transport.killedBy();
    return { stopReason: "error", error, ...(killedBy && { killedBy }) };
  }

  /** Token counts of the turn, where the agent gives them on its prompt response. */
  #reportTurnUsage(response: acp.PromptResponse): void {
    const usage = turnUsage(response);
    if (usage) this.#context.onUpdate(usage);
  }

  async #permission(request: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse> {
    const access = { place: (path: string) => this.#fs.place(path), hosts: this.#context.hosts ?? [] };
    const { response, update } = this.#cancelling
      ? cancelledPermission(request)
      : await decidePermission(request, this.#context.policy, access);
    this.#context.onUpdate(update);
    return response;
  }

  /** Describes why a request failed: the agent's own error, or its exit with the tail of its stderr. */
  async #failure(outcome: Outcome<unknown>): Promise<string> {
    if (outcome.kind === "failed" && outcome.error instanceof acp.RequestError) {
      return `agent failed the turn: ${requestErrorText(outcome.error)}`;
    }
    const exit = outcome.kind === "exited" ? outcome.description : await this.#exitSoon();
    const cause =
      exit ?? `ACP connection failed: ${outcome.kind === "failed" ? messageOf(outcome.error) : ""}`;
    const tail = this.#transport.stderrTail();
    return tail ? `${cause}; last stderr lines:\n${tail}` : cause;
  }

  /** The agent process's exit, if it comes shortly: a broken connection usually means the agent died. */
  async #exitSoon(): Promise<string | undefined> {
    if (this.#transport.target instanceof acp.AgentApp) return undefined;
    return await Promise.race([this.#transport.exited, delay(EXIT_WAIT_MS, undefined)]);
  }

  async #shutdown(): Promise<void> {
    this.#connection.close();
    await Promise.all([this.#terminals.killAll(), this.#transport.stop()]);
  }
}

function outcomeOf<T>(work: Promise<T>, exited: Promise<string>): Promise<Outcome<T>> {
  return Promise.race<Outcome<T>>([
    work.then(
      (value) => ({ kind: "done", value }),
      (error: unknown) => ({ kind: "failed", error }),
    ),
    exited.then((description) => ({ kind: "exited", description })),
  ]);
}

function requestErrorText(error: acp.RequestError): string {
  const data = error.data as { details?: unknown } | undefined;
  return typeof data?.details === "string" ? `${error.message}: ${data.details}` : error.message;
}
