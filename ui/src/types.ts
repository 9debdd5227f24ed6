/** The shapes the API returns, as far as the pages read them. */
export interface GafferEvent {
  id: number;
  runId: number | null;
  itemId: number | null;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

export interface Run {
  id: number;
  itemId: number;
  state: string;
  agent: string;
  branch: string;
  attempt: number;
  maxFixAttempts: number;
  reason: string | null;
  role: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Item {
  id: number;
  title: string;
  labels: string[];
  state: string;
  lane: string;
  run: Run | null;
}

export interface Status {
  root: string;
  factory: {
    roles: { name: string; kind: string; enabled: boolean; running: boolean; agent?: string }[];
    phase: { id: string } | null;
  } | null;
  daemon: {
    daemon: { pid: number; since: number } | null;
    paused: boolean;
    ready: number;
    claims: { item: number; role: string; duty: string }[];
    awaitingReview: number;
    spent: { today: number; total: number };
  };
  budget: Record<string, unknown>;
  openItems: number;
  counts: Record<string, number>;
  active: Run[];
  vaultWaiting: number;
  alerts: GafferEvent[];
  lastEventId: number;
}

export interface VaultAction {
  state: string;
  request: {
    id: string;
    kind: "merge" | "formula";
    context: string;
    tier: string;
    reasons: { tier: string; rule: string; why: string }[];
    requestedBy: { role: string; identity?: string; run?: number };
    requestedAt: number;
    merge?: { branch: string; into: string; files: number; lines: number };
    formula?: { name: string };
  };
  result?: Record<string, unknown>;
}

export interface RunDetail {
  run: Run;
  item: { id: number; title: string; body: string };
  attempts: { number: number; state: string; stopReason: string | null }[];
  gate: {
    attempt: number;
    name: string;
    command: string;
    exitCode: number | null;
    timedOut: boolean;
    durationMs: number;
    output: string;
  }[];
  proposal: {
    branch: string;
    headCommit: string;
    diffStat: string;
    review: string | null;
    findings: { rule?: string; message?: string }[];
  } | null;
  reviews: {
    round: number;
    role: string;
    verdict: string;
    summary: string;
    findings: { file: string; line?: number; severity: string; text: string }[];
  }[];
  findings: { check: string; rule: string; severity: string; message: string }[];
  report: { text: string; truncated: boolean } | null;
  usage: {
    attempts: number;
    costUsd: number;
    unpriced: number;
    inputTokens: number;
    outputTokens: number;
    cachedTokens: number;
  };
}

export interface FleetProject {
  name: string;
  path: string;
  enabled: boolean;
  daemon: { running: boolean; pid: number | null };
  roles: { running: number; total: number };
  openItems: number;
  proposals: number;
  error: string | null;
}
