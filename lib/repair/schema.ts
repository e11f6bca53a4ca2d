/**
 * Tool JSON schemas reduced to what a target accepts. Gemini (its OpenAI-compatible endpoint
 * and Vertex) takes an OpenAPI 3.0 subset (the `Schema` object of
 * https://ai.google.dev/api/caching#Schema) and rejects the whole request on anything else:
 * `$schema`, `$ref`/`$defs`, `additionalProperties`, `propertyNames`, `exclusiveMinimum`, `const`,
 * type arrays, formats other than `enum`/`date-time` (strings), `int32`/`int64` (integers),
 * `float`/`double` (numbers). What can be said another way is converted rather than dropped:
 * `const` -> `enum`, `oneOf` -> `anyOf`, `allOf` merged, `examples` -> `example`, an exclusive
 * bound on an integer -> the next inclusive one.
 */

type Json = Record<string, unknown>;

/** Keys Gemini accepts in a schema node. */
const GEMINI_KEYS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);

/** Formats Gemini takes, per type. */
const GEMINI_FORMATS: Record<string, readonly string[]> = {
  string: ["enum", "date-time"],
  integer: ["int32", "int64"],
  number: ["float", "double"],
};

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Resolves local `#/$defs/x` and `#/definitions/x` references (bounded depth: no cycles). */
function resolveRef(node: Json, root: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  const m = ref.match(/^#\/(\$defs|definitions)\/(.+)$/);
  const defs = m ? root[m[1]] : undefined;
  const target = isObj(defs) ? defs[m![2]] : undefined;
  return isObj(target)
    ? {
      ...target,
      ...Object.fromEntries(
        Object.entries(node).filter(([k]) => k !== "$ref"),
      ),
    }
    : { type: "object" };
}

function reduce(node: unknown, root: Json, depth: number): unknown {
  if (!isObj(node)) return node;
  if (depth > 24) return { type: "object" };
  const src = resolveRef(node, root);
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === "const") out.enum = [value];
    else if (key === "oneOf" && Array.isArray(value)) {
      out.anyOf = value.map((v) => reduce(v, root, depth + 1));
    } else if (key === "allOf" && Array.isArray(value)) {
      // Merge the parts: Gemini has no allOf.
      for (const part of value.map((v) => reduce(v, root, depth + 1))) {
        if (!isObj(part)) continue;
        for (const [k, v] of Object.entries(part)) {
          if (k === "properties" && isObj(out.properties) && isObj(v)) {
            out.properties = { ...out.properties, ...v };
          } else if (k === "required" && Array.isArray(out.required) && Array.isArray(v)) {
            out.required = [...new Set([...out.required, ...v])];
          } else out[k] ??= v;
        }
      }
    } else if (!GEMINI_KEYS.has(key)) continue;
    else if (key === "properties" && isObj(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, reduce(v, root, depth + 1)]),
      );
    } else if (key === "items") out.items = reduce(value, root, depth + 1);
    else if (key === "anyOf" && Array.isArray(value)) {
      out.anyOf = value.map((v) => reduce(v, root, depth + 1));
    } else if (key === "type" && Array.isArray(value)) {
      const types = value.filter((t) => t !== "null");
      if (types.length < value.length) out.nullable = true;
      out.type = types[0] ?? "string";
    } else if (key !== "format") out[key] = value;
  }
  convertConstraints(src, out);
  // `required` may only name properties that exist.
  if (Array.isArray(out.required)) {
    const props = isObj(out.properties) ? out.properties : {};
    out.required = out.required.filter((r) => typeof r === "string" && r in props);
    if ((out.required as unknown[]).length === 0) delete out.required;
  }
  if (Array.isArray(out.enum)) out.enum = out.enum.map(String);
  return out;
}

/** The exclusive bound of a node (draft 6+ number form, or draft 4 boolean with the bound). */
function exclusive(src: Json, key: "exclusiveMinimum" | "exclusiveMaximum"): number | undefined {
  const value = src[key];
  if (typeof value === "number") return value;
  const inclusive = src[key === "exclusiveMinimum" ? "minimum" : "maximum"];
  return value === true && typeof inclusive === "number" ? inclusive : undefined;
}

/**
 * Constraints Gemini has no key for, converted where an exact equivalent exists: an integer's
 * exclusive bound is the next inclusive one, `examples` gives `example`, integer and number
 * formats Gemini lists stay. A number's exclusive bound and other formats have none and are
 * dropped (as tests/repair_test.ts pins: `{type: "number", exclusiveMinimum: 0}` -> `{type:
 * "number"}`), since an inclusive `minimum` would let the excluded value through.
 */
function convertConstraints(src: Json, out: Json): void {
  const type = typeof out.type === "string" ? out.type : "";
  const low = exclusive(src, "exclusiveMinimum");
  if (low !== undefined && type === "integer") {
    out.minimum = Math.max(Math.floor(low) + 1, num(out.minimum, -Infinity));
  }
  const high = exclusive(src, "exclusiveMaximum");
  if (high !== undefined && type === "integer") {
    out.maximum = Math.min(Math.ceil(high) - 1, num(out.maximum, Infinity));
  }
  if (typeof src.format === "string" && (GEMINI_FORMATS[type] ?? []).includes(src.format)) {
    out.format = src.format;
  }
  if (out.example === undefined && Array.isArray(src.examples) && src.examples.length) {
    out.example = src.examples[0];
  }
}

const num = (v: unknown, fallback: number) => typeof v === "number" ? v : fallback;

/** A tool input schema as Gemini accepts it. */
export function reduceSchemaForGemini(schema: unknown): Json {
  if (!isObj(schema)) return { type: "object", properties: {} };
  const out = reduce(schema, schema, 0) as Json;
  out.type ??= "object";
  return out;
}
