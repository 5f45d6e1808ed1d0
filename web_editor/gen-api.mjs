// Generates src/api.generated.ts from server/openapi.json: a TypeScript type
// and a runtime check (src/contract.ts) for every component schema, and, per
// route, the schema of its JSON success answer. The editor reads the server
// only through these, so openapi.json is the one description of the API the
// editor relies on, and an answer that does not match it fails loudly.
// Handles the subset of OpenAPI 3.0 schemas the document uses and refuses
// anything else, so a new construct is a build error, not a silent `unknown`.
import { readFileSync } from "node:fs";

// Component names that would shadow a global of the same name in TypeScript.
const RENAME = { Error: "ErrorBody" };
const SCHEMA_KEYS = new Set(["type", "properties", "required", "additionalProperties", "items", "enum", "nullable",
  "$ref", "allOf", "description", "example", "format", "minimum", "maximum", "default"]);

const pascal = (s) => s.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());

export function generateApi(openapiPath) {
  const doc = JSON.parse(readFileSync(openapiPath, "utf8"));
  const schemas = doc.components?.schemas ?? {};
  const tsName = (name) => RENAME[name] ?? name;
  const refName = (ref) => {
    const m = /^#\/components\/schemas\/(\w+)$/.exec(ref);
    if (!m || !schemas[m[1]]) throw new Error(`gen-api: unknown $ref ${ref}`);
    return m[1];
  };
  const decls = []; // emitted in order: types and their checks

  function validate(s, where) {
    for (const k of Object.keys(s)) if (!SCHEMA_KEYS.has(k)) throw new Error(`gen-api: ${where}: "${k}" is not supported by gen-api.mjs`);
  }

  // allOf of objects (or $refs to objects) is one object with every member.
  function flatten(s, where) {
    if (s.$ref) return flatten(schemas[refName(s.$ref)], where);
    if (s.allOf) {
      const parts = s.allOf.map((p, i) => flatten(p, `${where}/allOf/${i}`));
      return { type: "object", properties: Object.assign({}, ...parts.map((p) => p.properties)), required: parts.flatMap((p) => p.required ?? []) };
    }
    if (s.type !== "object") throw new Error(`gen-api: ${where}: allOf of a non-object`);
    return s;
  }

  // Returns [TypeScript type, check expression] for schema `s`; inline objects become named declarations `hint`.
  function shape(s, hint, where) {
    validate(s, where);
    let t, c;
    if (s.$ref) {
      const n = tsName(refName(s.$ref));
      t = n; c = `check${n}`;
    } else if (s.allOf) {
      declareObject(hint, flatten(s, where), where);
      t = hint; c = `check${hint}`;
    } else if (s.type === "object") {
      const props = s.properties ?? {};
      if (!Object.keys(props).length && s.additionalProperties === true) { t = "JsonObject"; c = "((v, at) => { obj(v, at, false, null); })"; }
      else if (!Object.keys(props).length && typeof s.additionalProperties === "object") {
        const [it, ic] = shape(s.additionalProperties, `${hint}Value`, `${where}/additionalProperties`);
        t = `{ [key: string]: ${it} }`; c = `map(${ic})`;
      } else { declareObject(hint, s, where); t = hint; c = `check${hint}`; }
    } else if (s.type === "array") {
      if (!s.items) throw new Error(`gen-api: ${where}: an array without items`);
      const [it, ic] = shape(s.items, hint, `${where}/items`);
      t = `${/[ |]/.test(it) ? `(${it})` : it}[]`; c = `arr(${ic})`;
    } else if (s.type === "string") {
      if (s.enum) { t = s.enum.map((x) => JSON.stringify(x)).join(" | "); c = `oneOf(${JSON.stringify(s.enum)})`; }
      else { t = "string"; c = "str"; }
    } else if (s.type === "integer") { t = "number"; c = "int"; }
    else if (s.type === "number") { t = "number"; c = "num"; }
    else if (s.type === "boolean") { t = "boolean"; c = "bool"; }
    else if (s.type === undefined) { t = "Json"; c = "json"; }
    else throw new Error(`gen-api: ${where}: type ${s.type} is not supported`);
    if (s.nullable) { t = `${t} | null`; c = `nullable(${c})`; }
    return [t, c];
  }

  function declareObject(name, s, where) {
    const props = s.properties ?? {};
    const required = new Set(s.required ?? []);
    for (const r of required) if (!(r in props)) throw new Error(`gen-api: ${where}: required "${r}" is not a property`);
    const open = s.additionalProperties === true;
    const lines = [], checks = [];
    for (const [k, p] of Object.entries(props)) {
      const [t, c] = shape(p, name + pascal(k), `${where}/properties/${k}`);
      const doc = p.description ? `\n  /** ${p.description.replace(/\*\//g, "* /")} */` : "";
      lines.push(`${doc}\n  ${JSON.stringify(k)}${required.has(k) ? "" : "?"}: ${t};`);
      checks.push(`  field(o, ${JSON.stringify(k)}, at, strict, ${c}, ${required.has(k)});`);
    }
    if (open) lines.push("\n  [key: string]: Json | undefined;");
    decls.push(`export interface ${name} {${lines.join("")}\n}\n` +
      `export function check${name}(v: unknown, at: string, strict: boolean): void {\n` +
      `  const o = obj(v, at, strict, ${open ? "null" : JSON.stringify(Object.keys(props))});\n${checks.join("\n")}\n}\n`);
  }

  for (const [name, s] of Object.entries(schemas)) {
    const n = tsName(name);
    const where = `#/components/schemas/${name}`;
    validate(s, where);
    if (s.allOf || (s.type === "object" && Object.keys(s.properties ?? {}).length)) {
      declareObject(n, s.allOf ? flatten(s, where) : s, where);
    } else {
      const [t, c] = shape(s, `${n}Item`, where);
      decls.push(`export type ${n} = ${t};\nexport const check${n}: Check = ${c};\n`);
    }
  }

  // The JSON answer of each route's successes (every 2xx of a route has one schema).
  const answers = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const route = `${method.toUpperCase()} ${path}`;
      const refs = new Set();
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        const sch = r.content?.["application/json"]?.schema;
        if (!/^2/.test(status) || !sch) continue;
        if (!sch.$ref) throw new Error(`gen-api: ${route} ${status}: name the answer's schema in components (a $ref)`);
        refs.add(tsName(refName(sch.$ref)));
      }
      if (refs.size > 1) throw new Error(`gen-api: ${route}: its 2xx answers have different schemas (${[...refs]})`);
      if (refs.size) answers.push([route, [...refs][0]]);
    }
  }

  const body = decls.join("\n");
  const helpers = ["obj", "field", "str", "num", "int", "bool", "json", "arr", "nullable", "oneOf", "map"]
    .filter((h) => new RegExp(`\\b${h}\\(|[(,] ${h}[,)]`).test(body));
  return `// Generated by gen-api.mjs from server/openapi.json. Do not edit.\n` +
    `import { type Check, type Json, type JsonObject, ${helpers.join(", ")} } from "./contract";\n` +
    `export type { Json, JsonObject };\n\n` +
    body +
    `\n/** The JSON answer of each route's 2xx responses. */\nexport interface Answers {\n${answers.map(([r, n]) => `  ${JSON.stringify(r)}: ${n};`).join("\n")}\n}\n` +
    `export type ApiRoute = keyof Answers;\n` +
    `export const answerChecks: { [R in ApiRoute]: Check } = {\n${answers.map(([r, n]) => `  ${JSON.stringify(r)}: check${n},`).join("\n")}\n};\n`;
}
