/**
 * The provider fields beyond the core ones (added per provider type in lib/config/fields), read
 * from the zod schema so the page can offer and edit them without knowing each type.
 */
import { ProviderSchema, SECRET_FIELDS } from "../config/schema.ts";

/** How the page edits a field. */
export interface ExtraField {
  name: string;
  kind: "string" | "number" | "boolean" | "enum" | "json";
  options?: string[];
  secret: boolean;
}

/** Fields the page has its own controls for. */
export const CORE_PROVIDER_FIELDS = new Set([
  "id",
  "name",
  "type",
  "enabled",
  "baseUrl",
  "passthrough",
  "keys",
  "authHeader",
  "headers",
  "modelMap",
  "timeoutMs",
  "cooldownSeconds",
]);

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  entries?: Record<string, string>;
}

function kindOf(def: Def): Pick<ExtraField, "kind" | "options"> {
  for (let i = 0; i < 10; i++) {
    if (
      (def.type === "optional" || def.type === "default" || def.type === "nullable") &&
      def.innerType
    ) {
      def = def.innerType._zod.def;
    } else if (def.type === "pipe" && def.in) def = def.in._zod.def;
    else break;
  }
  if (def.type === "string") return { kind: "string" };
  if (def.type === "number" || def.type === "int") return { kind: "number" };
  if (def.type === "boolean") return { kind: "boolean" };
  if (def.type === "enum" && def.entries) {
    return { kind: "enum", options: Object.values(def.entries).map(String) };
  }
  return { kind: "json" };
}

// A cache of immutable data: the fields are derived from the schema, which never changes.
let cached: ExtraField[] | null = null;

/** Every non-core provider field, with how to edit it. */
export function extraProviderFields(): ExtraField[] {
  if (cached) return cached;
  const shape = (ProviderSchema as unknown as { shape: Record<string, { _zod: { def: Def } }> })
    .shape;
  cached = Object.entries(shape)
    .filter(([name]) => !CORE_PROVIDER_FIELDS.has(name))
    .map(([name, schema]) => ({
      name,
      ...kindOf(schema._zod.def),
      secret: SECRET_FIELDS.includes(name),
    }));
  return cached;
}
