import { readFactory, type Phase } from "../../config/index.ts";
import { openProject, openProjectReadOnly } from "../../engine/index.ts";
import {
  addPhases,
  advancePhase,
  findPhase,
  formatPhaseLine,
  type PhaseChange,
  type PhaseState,
  phaseStatus,
  progressOf,
  readPhaseState,
  setPhase,
} from "../../factory/index.ts";
import { formatTable, print, printJson } from "../output.ts";

/** `gaffer phase show`: the current phase and every phase's state. Reads only. */
export async function phaseShow(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const factory = await readFactory(project.root, project.config);
    const state = readPhaseState(factory, project.paths.stateDir);
    const phases = factory.phases.map((phase, index) => ({
      number: index + 1,
      id: phase.id,
      plan: phase.plan,
      models: phase.models ?? null,
      state: progressOf(state, index),
    }));
    if (options.json) {
      printJson({
        file: state?.file ?? null,
        index: state?.index ?? null,
        current: state ? phaseStatus(state) : null,
        phases,
      });
      return 0;
    }
    if (!state) {
      print(`no phases configured: ${addPhases(factory)}`);
      return 0;
    }
    print(formatPhaseLine(phaseStatus(state)));
    print();
    print(
      formatTable(
        ["#", "PHASE", "PLAN", "STATE", "MODELS"],
        phases.map((p) => [String(p.number), p.id, p.plan, p.state, describeModels(p.models)]),
      ),
    );
    return 0;
  } finally {
    await project.close();
  }
}

/** `gaffer phase set <id|number>`. */
export async function phaseSet(cwd: string, ref: string, options: { json?: boolean }): Promise<number> {
  return changePhase(cwd, options, (context) => setPhase(context, findPhase(context.factory, ref)));
}

/** `gaffer phase advance`: to the next phase, or the last one to done; refuses past the end. */
export async function phaseAdvance(cwd: string, options: { json?: boolean; from?: string }): Promise<number> {
  return changePhase(cwd, options, (context) =>
    advancePhase(context, options.from !== undefined ? { expected: options.from } : {}),
  );
}

async function changePhase(
  cwd: string,
  options: { json?: boolean },
  act: (context: Parameters<typeof advancePhase>[0]) => Promise<PhaseChange>,
): Promise<number> {
  const project = await openProject(cwd);
  try {
    const factory = await readFactory(project.root, project.config);
    const { from, to } = await act({ factory, stateDir: project.paths.stateDir, db: project.store.db });
    if (options.json) {
      printJson({ file: to.file, from: phaseStatus(from), to: phaseStatus(to) });
      return 0;
    }
    print(`${label(from)} → ${label(to)}`);
    print(formatPhaseLine(phaseStatus(to)));
    return 0;
  } finally {
    await project.close();
  }
}

function label(state: PhaseState): string {
  return state.done ? `${state.phase.id} (done)` : state.phase.id;
}

function describeModels(models: Phase["models"] | null): string {
  if (!models) return "";
  if (typeof models === "string") return `loop roles: ${models}`;
  return Object.entries(models)
    .map(([role, model]) => `${role}=${model}`)
    .join(" ");
}
