// Writes docs/EVENTS.md from the event catalogue and the run state graph; `--check` fails when the
// file on disk differs (npm run lint runs it), so the published event feed never drifts from code.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { EVENTS, RUN_TRANSITIONS } from "../src/store/index.ts";

const root = resolve(import.meta.dirname, "..");
const catalogueFile = resolve(root, "src/store/event-catalogue.ts");
const docFile = resolve(root, "docs/EVENTS.md");

/** Each catalogue key's payload as field lines, read from the type argument of its `event<…>()`. */
function payloadFields(): Map<string, string> {
  const program = ts.createProgram([catalogueFile], {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(catalogueFile);
  if (!source) throw new Error(`cannot read ${catalogueFile}`);
  const fields = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(source) === "EVENTS") {
      let literal = node.initializer;
      while (literal && ts.isAsExpression(literal)) literal = literal.expression;
      if (!literal || !ts.isObjectLiteralExpression(literal))
        throw new Error("EVENTS is not an object literal");
      for (const property of literal.properties) {
        if (!ts.isPropertyAssignment(property) || !ts.isCallExpression(property.initializer)) continue;
        const factory = property.initializer.expression;
        const argument = ts.isCallExpression(factory) ? factory.typeArguments?.[0] : undefined;
        if (!argument) throw new Error(`${property.name.getText(source)}: no payload type`);
        fields.set(property.name.getText(source), describe(checker, checker.getTypeFromTypeNode(argument)));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return fields;
}

function describe(checker: ts.TypeChecker, type: ts.Type): string {
  if (type.isUnion()) return type.types.map((member) => describe(checker, member)).join("<br>or ");
  const fields = checker.getPropertiesOfType(type).map((symbol) => {
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    const fieldType = declaration
      ? checker.getTypeOfSymbolAtLocation(symbol, declaration)
      : checker.getAnyType();
    const text = checker.typeToString(
      optional ? checker.getNonNullableType(fieldType) : fieldType,
      undefined,
      ts.TypeFormatFlags.NoTruncation,
    );
    return `\`${symbol.name}${optional ? "?" : ""}: ${text.replaceAll("|", "\\|")}\``;
  });
  return fields.length ? fields.join(", ") : "—";
}

function render(): string {
  const fields = payloadFields();
  const transitions = Object.entries(RUN_TRANSITIONS).map(
    ([name, t]) => `| \`${name}\` | ${t.from.join(", ")} | ${t.to} | \`${t.event.name}\` | ${t.when} |`,
  );
  const events = Object.entries(EVENTS).map(
    ([key, def]) =>
      `| \`${def.name}\` | ${def.meaning.replaceAll("|", "\\|")}${def.security ? " **(security: never dropped)**" : ""} | ${fields.get(key) ?? "—"} |`,
  );
  return `<!-- Generated from src/store/event-catalogue.ts and src/store/run-states.ts by \`npm run events:doc\`. Do not edit. -->

# Events

Everything gaffer does is recorded as an event in the project's store, in order, never updated or
deleted: the feed \`gaffer logs <run>\` prints (\`--json\` for one JSON object per event: \`id\`,
\`runId\`, \`itemId\`, \`type\`, \`at\` in milliseconds, \`data\`), reports and the factory read, and
the public interface for tools built on gaffer. This page lists every event and every way a run
changes state; both are generated from the code that defines them, so they are exact.

Events marked **security** are evidence of a breach or a limit. They are never dropped: a run whose
store cannot take one stops with that error instead of going on without its record.

Text inside events (an agent's messages, commands, paths, tracker titles) is whatever the agent or
the tracker wrote: raw in JSON, shown escaped by gaffer's own output. Treat it as untrusted.

## A run's life

A run is created in \`preparing\`. It is driven (by \`gaffer run\` or a factory worker) while it is
**active**: preparing, agent, gating, proposing. It stops **resumable** (cancelled, interrupted,
revising: the factory picks these up again) or **terminal** (proposed, failed, gave-up, discarded).
A \`failed\` run keeps its workspace: \`gaffer run <item> --resume\` may still continue it by hand.
Every state change is one of these transitions, with its event, in one transaction:

| transition | from | to | event | when |
| --- | --- | --- | --- | --- |
${transitions.join("\n")}

## The catalogue

| event | meaning | data |
| --- | --- | --- |
${events.join("\n")}
`;
}

const text = render();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(docFile, "utf8");
  } catch {
    // missing: reported below
  }
  if (current !== text) {
    console.error("docs/EVENTS.md is out of date with the event catalogue: run `npm run events:doc`");
    process.exit(1);
  }
} else {
  writeFileSync(docFile, text);
}
