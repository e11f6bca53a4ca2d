/**
 * What the admin page renders and its islands start from: nothing in it is a stored secret
 * (keys, header values and other secret fields are masked, access keys are listed by hint only).
 */
import type { Context } from "hono";
import { maskConfig } from "../config/mask.ts";
import { type Preset, PRESETS } from "../config/presets.ts";
import { type Config, PROVIDER_TYPES, SECRET_FIELDS } from "../config/schema.ts";
import type { Deps } from "../deps.ts";
import { listAccessKeys } from "../store/access_key_store.ts";
import { type StatusReport, statusReport } from "./status.ts";
import { type ExtraField, extraProviderFields } from "./field_catalog.ts";

/** An access key as the page lists it. */
export interface AccessKeyView {
  id: string;
  label: string;
  hint: string;
  createdAt: string;
}

export interface PageData {
  /** The config with every stored secret masked. */
  config: Config;
  /** Its KV versionstamp, sent back as If-Match on save. */
  version: string | null;
  status: StatusReport;
  accessKeys: AccessKeyView[];
  /** True when at least one access key exists (ACCESS_KEYS or created here). */
  accessKeysExist: boolean;
  presets: Preset[];
  providerTypes: string[];
  secretFields: string[];
  /** Provider fields beyond the core ones (other types' settings), with how to edit them. */
  extraFields: ExtraField[];
  /** The address clients use to reach Detour (this page's origin). */
  baseUrl: string;
  /** The session's CSRF token, sent as `x-csrf-token` by the islands. */
  csrf: string;
  /** When the data was read (ISO). */
  now: string;
}

/** The public origin of the request, honouring a TLS-terminating proxy's x-forwarded-proto. */
export function publicOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  const host = c.req.header("x-forwarded-host")?.split(",")[0].trim() || url.host;
  return `${proto === "https" || proto === "http" ? proto : url.protocol.slice(0, -1)}://${host}`;
}

/** Reads everything the page shows. */
export async function loadPageData(deps: Deps, c: Context, csrf: string): Promise<PageData> {
  const [status, keys] = await Promise.all([statusReport(deps), listAccessKeys(deps.kv)]);
  return {
    config: maskConfig(deps.live.config),
    version: deps.live.version,
    status,
    accessKeys: keys.map(({ id, label, hint, createdAt }) => ({ id, label, hint, createdAt })),
    accessKeysExist: !deps.accessKeys.empty,
    presets: PRESETS,
    providerTypes: [...PROVIDER_TYPES],
    secretFields: [...SECRET_FIELDS],
    // The quota has its own group in the provider editor, not a generic JSON field.
    extraFields: extraProviderFields().filter((f) => f.name !== "quota"),
    baseUrl: publicOrigin(c),
    csrf,
    now: new Date().toISOString(),
  };
}

/** JSON for a `<script type="application/json">` block: nothing in it can close the tag. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
