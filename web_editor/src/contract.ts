// Checks of the server's JSON against the shapes of server/openapi.json.
// api.generated.ts (written by gen-api.mjs from openapi.json) composes these
// per schema; a missing or mistyped documented field throws ContractError
// naming its JSON pointer, so contract drift is an error, never a silent 0 or "".

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

export class ContractError extends Error {
  constructor(public at: string, public problem: string) {
    super(`${at || "/"}: ${problem}`);
  }
}

/** Checks `v` at JSON pointer `at`; `strict` also refuses fields the schema does not name (the contract test). */
export type Check = (v: unknown, at: string, strict: boolean) => void;

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

export function obj(v: unknown, at: string, strict: boolean, known: readonly string[] | null): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ContractError(at, `expected an object, got ${kind(v)}`);
  const o = v as Record<string, unknown>;
  if (strict && known) {
    for (const k of Object.keys(o)) if (!known.includes(k)) throw new ContractError(`${at}/${k}`, "a field the API does not document");
  }
  return o;
}

export function field(o: Record<string, unknown>, key: string, at: string, strict: boolean, check: Check, required: boolean): void {
  if (!(key in o)) {
    if (required) throw new ContractError(`${at}/${key}`, "missing (a documented, required field)");
    return;
  }
  check(o[key], `${at}/${key}`, strict);
}

export const str: Check = (v, at) => { if (typeof v !== "string") throw new ContractError(at, `expected a string, got ${kind(v)}`); };
export const num: Check = (v, at) => { if (typeof v !== "number") throw new ContractError(at, `expected a number, got ${kind(v)}`); };
export const int: Check = (v, at) => { if (!Number.isInteger(v)) throw new ContractError(at, `expected an integer, got ${kind(v)}`); };
export const bool: Check = (v, at) => { if (typeof v !== "boolean") throw new ContractError(at, `expected true or false, got ${kind(v)}`); };
/** Any JSON value (a schema without a type). */
export const json: Check = () => {};

export function arr(item: Check): Check {
  return (v, at, strict) => {
    if (!Array.isArray(v)) throw new ContractError(at, `expected an array, got ${kind(v)}`);
    v.forEach((x, i) => item(x, `${at}/${i}`, strict));
  };
}

export function nullable(c: Check): Check {
  return (v, at, strict) => { if (v !== null) c(v, at, strict); };
}

export function oneOf(values: readonly string[]): Check {
  return (v, at) => {
    if (typeof v !== "string" || !values.includes(v)) throw new ContractError(at, `expected one of ${values.join(", ")}, got ${JSON.stringify(v)}`);
  };
}

/** An object whose members all have one shape (additionalProperties: {schema}). */
export function map(c: Check): Check {
  return (v, at, strict) => {
    const o = obj(v, at, false, null);
    for (const [k, x] of Object.entries(o)) c(x, `${at}/${k}`, strict);
  };
}
