/**
 * The shape of a provider preset (lib/config/presets.ts), apart from the presets themselves so
 * that every preset list can import it without importing the others.
 */
import * as z from "zod";
import { PROVIDER_TYPES } from "./schema.ts";

export const PresetSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** One sentence shown under the preset's name. */
  description: z.string(),
  /** Values copied into the new provider (id and keys are the user's). */
  provider: z.object({
    type: z.enum(PROVIDER_TYPES),
    name: z.string(),
    baseUrl: z.string(),
    passthrough: z.boolean().default(false),
    authHeader: z.string().default("x-api-key"),
    modelMap: z.record(z.string(), z.string()).default({}),
  }).passthrough(),
  /** Which fields the form shows for this preset. */
  needsKeys: z.boolean().default(true),
  /** Placeholder for the key field. */
  keyHint: z.string().optional(),
  /**
   * Type-specific provider fields (lib/config/fields/) the form asks for, in order; the ones in
   * SECRET_FIELDS are entered and shown masked like keys.
   */
  fields: z.array(z.string()).default([]),
});
export type Preset = z.infer<typeof PresetSchema>;
export type PresetInput = z.input<typeof PresetSchema>;
