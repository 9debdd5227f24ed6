import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * GitHub's official OpenAPI description (`@octokit/openapi`), made checkable by ajv, so the fake
 * forge's GitHub responses are held to the real API's shapes. The description is OpenAPI 3.0, so
 * three adaptations are needed, and nothing else is changed:
 *
 * - `nullable: true` becomes JSON Schema's `null` type (added to `type`, or as an `anyOf` branch
 *   beside a `$ref`, and to an `enum`);
 * - `oneOf` becomes `anyOf`: the description's unions are not exclusive (a private user is also a
 *   valid public user, since neither forbids extra properties), and `discriminator` is dropped;
 * - `format`s are not checked (ajv needs a plugin for them) and unknown keywords (`example`,
 *   `x-github`…) are ignored.
 */
const SPEC_ID = "https://api.github.com/openapi";

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; $ref?: string }>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  };
}

let loaded: { spec: Spec; ajv: Ajv2020 } | undefined;

function load(): { spec: Spec; ajv: Ajv2020 } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: adapt(spec.components.schemas) } });
  loaded = { spec, ajv };
  return loaded;
}

const validators = new Map<string, ValidateFunction>();

/** Problems with `body` as the response of `method path` (a path template of the description) with `status`. */
export function responseProblems(method: string, path: string, status: number, body: unknown): string[] {
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const { spec, ajv } = load();
    const operation = spec.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`the description has no operation ${method} ${path}`];
    let response = operation.responses[String(status)];
    if (response?.$ref) response = spec.components.responses[response.$ref.split("/").at(-1) as string];
    const schema = response?.content?.["application/json"]?.schema;
    if (!schema) return [`the description has no JSON response ${status} for ${method} ${path}`];
    validate = ajv.compile(adapt(schema) as object);
    validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

function adapt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adapt);
  if (typeof node !== "object" || node === null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "nullable" || key === "discriminator" || key === "example") continue;
    if (key === "$ref" && typeof value === "string")
      out[key] = value.startsWith("#/") ? `${SPEC_ID}${value}` : value;
    else if (key === "oneOf") out["anyOf"] = adapt(value);
    else if (key === "properties" && typeof value === "object" && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, adapt(schema)]));
    } else out[key] = adapt(value);
  }
  if (source["nullable"] !== true) return out;
  if (Array.isArray(out["enum"])) out["enum"] = [...out["enum"], null];
  if (typeof out["type"] === "string") return { ...out, type: [out["type"], "null"] };
  return { anyOf: [out, { type: "null" }] };
}
