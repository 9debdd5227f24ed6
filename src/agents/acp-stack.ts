/**
 * What an ACP session needs: the client and the scripted agent, with the ACP library and its
 * message schemas — most of the code a run loads. The registry loads it when an ACP or scripted
 * agent's session starts, while the agent's process starts.
 */
export { startAcpSession } from "./acp/session.ts";
export { inProcessTransport } from "./acp/transport.ts";
export { createScriptedAgent } from "./scripted/agent.ts";
