/**
 * The demo's sample project: a tiny calculator library with a real `node --test` suite, and three
 * work items whose bodies carry the scripted agent's scenario (docs/SCENARIOS.md).
 */
export const SAMPLE_FILES: Record<string, string> = {
  "package.json": `${JSON.stringify({ name: "calc", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
  "src/calc.js": `export function add(a, b) {
  return a + b;
}

export function subtract(a, b) {
  return a - b;
}

export function average(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function divide(a, b) {
  return a / b;
}
`,
  "test/calc.test.js": `import assert from "node:assert/strict";
import { test } from "node:test";
import { add, average, divide, subtract } from "../src/calc.js";

test("add", () => assert.equal(add(2, 3), 5));
test("subtract", () => assert.equal(subtract(5, 3), 2));
test("average", () => assert.equal(average([1, 2, 3]), 2));
test("divide", () => assert.equal(divide(6, 3), 2));
`,
  "AGENTS.md": `# Conventions
- Plain JavaScript modules, no dependencies.
- Every function has a test in test/calc.test.js.
`,
  ".gitignore": "node_modules/\n.gaffer/\n",
};

export const SAMPLE_CONFIG = `# gaffer.toml for the demo project
[gate]
max_fix_attempts = 2

[[gate.commands]]
name = "test"
run = "node --test"
timeout = "2m"
`;

export interface SampleItem {
  title: string;
  body: string;
  expected: "proposed" | "gave-up";
}

const scenario = (toml: string) => `\n\n\`\`\`scenario\n${toml.trim()}\n\`\`\`\n`;

export const SAMPLE_ITEMS: SampleItem[] = [
  {
    title: "Add a multiply function",
    expected: "proposed",
    body: `Add \`multiply(a, b)\` to src/calc.js, with a test.${scenario(`
name = "green at once"
[[attempts]]
steps = [
  { say = "Adding multiply() and its test." },
  { edit = "src/calc.js", old = "export function divide", new = "export function multiply(a, b) {\\n  return a * b;\\n}\\n\\nexport function divide" },
  { edit = "test/calc.test.js", old = "import { add, average, divide, subtract }", new = "import { add, average, divide, multiply, subtract }" },
  { edit = "test/calc.test.js", old = "test(\\"divide\\"", new = "test(\\"multiply\\", () => assert.equal(multiply(4, 3), 12));\\ntest(\\"divide\\"" },
  { run = "node --test" },
]
`)}`,
  },
  {
    title: "average([]) should return 0",
    expected: "proposed",
    body: `\`average([])\` returns NaN; it should return 0. Add a test.${scenario(`
name = "red, then heals"
[[attempts]]
steps = [
  { say = "Handling the empty list." },
  { edit = "src/calc.js", old = "export function average(values) {\\n", new = "export function average(values) {\\n  if (values.length === 0) return null;\\n" },
  { edit = "test/calc.test.js", old = "test(\\"divide\\"", new = "test(\\"average of nothing\\", () => assert.equal(average([]), 0));\\ntest(\\"divide\\"" },
  { say = "Done. All tests pass!" },
]
[[attempts]]
steps = [
  { say = "The gate says average([]) is null, not 0. Fixing." },
  { edit = "src/calc.js", old = "return null;", new = "return 0;" },
]
`)}`,
  },
  {
    title: "divide by zero should throw a RangeError",
    expected: "gave-up",
    body: `\`divide(1, 0)\` returns Infinity; it should throw a RangeError. Add a test.${scenario(`
name = "gives up"
[[attempts]]
steps = [
  { say = "Throwing on a zero divisor." },
  { edit = "src/calc.js", old = "  return a / b;", new = "  if (b === 0) throw new TypeError(\\"division by zero\\");\\n  return a / b;" },
  { edit = "test/calc.test.js", old = "test(\\"divide\\"", new = "test(\\"divide by zero\\", () => assert.throws(() => divide(1, 0), RangeError));\\ntest(\\"divide\\"" },
  { say = "Fixed and tested." },
]
[[attempts]]
steps = [
  { say = "Trying again with a clearer message." },
  { edit = "src/calc.js", old = "\\"division by zero\\"", new = "\\"cannot divide by zero\\"" },
]
`)}`,
  },
];
