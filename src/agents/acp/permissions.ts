import type * as acp from "@agentclientprotocol/sdk";
import { deniedCommandLine } from "../policy-check.ts";
import type { AgentUpdate, CommandPolicy } from "../types.ts";
import { type AccessContext, deniedAccess } from "./tool-access.ts";
import { joinShellWords } from "../../util/index.ts";

export interface PermissionDecision {
  response: acp.RequestPermissionResponse;
  update: AgentUpdate;
}

/**
 * Answers `session/request_permission` from the command policy and from what the tool call
 * touches (its kind, locations, command and URL: see deniedAccess). Only ever picks a
 * once-option: an "always" answer would let the agent stop asking, which would bypass the policy.
 */
export async function decidePermission(
  request: acp.RequestPermissionRequest,
  policy: CommandPolicy,
  access: AccessContext,
): Promise<PermissionDecision> {
  const title = request.toolCall.title ?? "";
  const command = requestedCommand(request.toolCall) ?? title;
  const rule = deniedCommandLine(policy, command) ?? (await deniedAccess(request.toolCall, command, access));
  const decision = rule === undefined ? "allow" : "reject";
  const wanted = decision === "allow" ? "allow_once" : "reject_once";
  const option = request.options.find((candidate) => candidate.kind === wanted);
  const update: AgentUpdate = {
    kind: "permission",
    title,
    command,
    ...(request.toolCall.kind && { toolKind: request.toolCall.kind }),
    // Without a matching once-option the request is cancelled, which allows nothing.
    decision: option ? decision : "reject",
    ...(rule === undefined ? {} : { rule }),
  };
  const response: acp.RequestPermissionResponse = option
    ? { outcome: { outcome: "selected", optionId: option.optionId } }
    : { outcome: { outcome: "cancelled" } };
  return { response, update };
}

/** The answer to every permission request once a turn is being cancelled. */
export function cancelledPermission(request: acp.RequestPermissionRequest): PermissionDecision {
  const title = request.toolCall.title ?? "";
  const command = requestedCommand(request.toolCall) ?? title;
  return {
    response: { outcome: { outcome: "cancelled" } },
    update: { kind: "permission", title, command, decision: "reject" },
  };
}

function requestedCommand(toolCall: acp.ToolCallUpdate): string | undefined {
  const input = toolCall.rawInput;
  if (typeof input !== "object" || input === null || !("command" in input)) return undefined;
  const { command } = input;
  if (typeof command === "string") return command;
  if (Array.isArray(command) && command.every((word) => typeof word === "string"))
    return joinShellWords(command);
  return undefined;
}
