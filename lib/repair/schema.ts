/**
 * Tool JSON schemas reduced to what a target accepts. Gemini (its OpenAI-compatible endpoint
 * and Vertex) takes an OpenAPI 3.0 subset and rejects the whole request on anything else:
 * `$schema`, `$ref`/`$defs`, `additionalProperties`, `propertyNames`, `exclusiveMinimum`, `const`,
 * type arrays, string formats other than `enum` and `date-time`.
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
    } else if (key === "format") {
      if (value === "enum" || value === "date-time") out.format = value;
    } else out[key] = value;
  }
  // `required` may only name properties that exist.
  if (Array.isArray(out.required)) {
    const props = isObj(out.properties) ? out.properties : {};
    out.required = out.required.filter((r) => typeof r === "string" && r in props);
    if ((out.required as unknown[]).length === 0) delete out.required;
  }
  if (Array.isArray(out.enum)) out.enum = out.enum.map(String);
  return out;
}

/** A tool input schema as Gemini accepts it. */
export function reduceSchemaForGemini(schema: unknown): Json {
  if (!isObj(schema)) return { type: "object", properties: {} };
  const out = reduce(schema, schema, 0) as Json;
  out.type ??= "object";
  return out;
}
