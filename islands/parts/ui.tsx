/** Small building blocks of the islands: labelled fields, copy buttons, the live-state badge. */
import type { ComponentChildren, TargetedEvent } from "preact";
import { useState } from "preact/hooks";
import { copyText } from "./actions.ts";
import {
  fieldError,
  fieldWarning,
  type ProviderStatus,
  type QuotaStatus,
  type Store,
  type UsageStatus,
} from "./store.ts";

/** The clock: the server's until hydrated (so both render the same), then the browser's. */
export function nowMs(store: Store): number {
  return store.mounted.value ? Date.now() : Date.parse(store.data.now);
}

/** A time of day: UTC on the server, local time once hydrated. */
export function clock(store: Store, iso: string): string {
  const d = new Date(iso);
  if (!store.mounted.value) return `${d.toISOString().slice(11, 19)} UTC`;
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "in 42 s", "3 min ago". */
export function relative(store: Store, iso: string): string {
  const s = Math.round((Date.parse(iso) - nowMs(store)) / 1000);
  const abs = Math.abs(s);
  // A just-recorded time can read a second ahead of the page's clock: neither "in 0 s" nor "0 s ago".
  if (abs < 2) return "just now";
  const text = abs < 90
    ? `${abs} s`
    : abs < 5400
    ? `${Math.round(abs / 60)} min`
    : abs < 129_600
    ? `${Math.round(abs / 3600)} h`
    : `${Math.round(abs / 86_400)} d`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}

interface FieldProps {
  store: Store;
  id: string;
  label: ComponentChildren;
  /** The key its errors are filed under. */
  errorKey: string;
  hint?: ComponentChildren;
  class?: string;
  children: (a11y: {
    id: string;
    "aria-invalid": "true" | undefined;
    "aria-describedby": string | undefined;
  }) => ComponentChildren;
}

/** A labelled control with its hint and its error (or warning) right under it. */
export function Field({ store, id, label, errorKey, hint, children, ...rest }: FieldProps) {
  const error = fieldError(store, errorKey);
  const warning = error ? null : fieldWarning(store, errorKey);
  const describedBy = [hint ? `${id}-hint` : "", error || warning ? `${id}-msg` : ""]
    .filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field ${error ? "invalid" : ""} ${rest.class ?? ""}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        "aria-invalid": error ? "true" : undefined,
        "aria-describedby": describedBy,
      })}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="msg error" id={`${id}-msg`}>{error}</p>}
      {warning && <p class="msg warning" id={`${id}-msg`}>{warning}</p>}
    </div>
  );
}

/** The message of a row or group (no own label). */
export function RowMessage(
  { store, errorKey, id }: { store: Store; errorKey: string; id: string },
) {
  const error = fieldError(store, errorKey);
  const warning = error ? null : fieldWarning(store, errorKey);
  if (error) return <p class="msg error" id={id}>{error}</p>;
  if (warning) return <p class="msg warning" id={id}>{warning}</p>;
  return null;
}

/** A button that copies `text` and says so. */
export function CopyButton(
  { store, text, label = "Copy", what }: {
    store: Store;
    text: string;
    label?: string;
    what: string;
  },
) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      class="btn small copy"
      disabled={!store.mounted.value}
      aria-label={`${label} ${what}`}
      onClick={async () => {
        const ok = await copyText(text);
        setState(ok ? "copied" : "failed");
        setTimeout(() => setState("idle"), 2000);
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
    </button>
  );
}

export type LiveKind = "healthy" | "cooling" | "failing" | "idle" | "disabled" | "unsaved";

/** What a provider's live state is, in a word and a sentence. */
export function liveState(
  store: Store,
  status: ProviderStatus | undefined,
  enabled: boolean,
): { kind: LiveKind; label: string; detail: string | null } {
  if (!status) return { kind: "unsaved", label: "not saved yet", detail: null };
  if (!enabled || !status.enabled) return { kind: "disabled", label: "disabled", detail: null };
  const now = nowMs(store);
  // The circuit breaker: open (skipped until a probe succeeds) outranks a cooldown.
  const circuit = status.circuit;
  if (circuit && (circuit.state === "open" || circuit.state === "half_open")) {
    const probe = circuit.probeAfter && Date.parse(circuit.probeAfter) > now
      ? ` · ${circuit.state === "open" ? "next probe" : "probe lapses"} ${
        relative(store, circuit.probeAfter)
      }`
      : "";
    return {
      kind: "failing",
      label: circuit.state === "open" ? "circuit open: skipped" : "circuit half-open: probing",
      detail: `${circuit.failures} failures in a row${probe}`,
    };
  }
  // A spent quota skips the provider like a cooldown, until its period resets.
  if (quotaView(status.quota, now)?.exhausted) {
    return { kind: "cooling", label: "quota reached: skipped", detail: null };
  }
  const cooling = status.cooling && Date.parse(status.cooling.until) > now ? status.cooling : null;
  if (cooling) {
    return {
      kind: "cooling",
      label: `cooling until ${clock(store, cooling.until)}`,
      detail: `${cooling.reason} · back ${relative(store, cooling.until)}`,
    };
  }
  const keys = status.keys ?? [];
  const coolingKeys = keys.filter((k) => k.cooling && Date.parse(k.cooling.until) > now);
  if (keys.length > 0 && coolingKeys.length === keys.length) {
    const soonest = coolingKeys.map((k) => k.cooling!.until).sort()[0];
    return {
      kind: "cooling",
      label: `all keys cooling until ${clock(store, soonest)}`,
      detail: coolingKeys[0].cooling!.reason,
    };
  }
  if (circuit?.state === "degraded") {
    return {
      kind: "failing",
      label: "degraded: tried after healthy providers",
      detail: `${circuit.failures} failures in a row`,
    };
  }
  const lastOk = status.lastOkAt ? Date.parse(status.lastOkAt) : 0;
  const lastErr = status.lastErrorAt ? Date.parse(status.lastErrorAt) : 0;
  if (lastErr > lastOk) {
    return { kind: "failing", label: "last request failed", detail: null };
  }
  if (lastOk) {
    return {
      kind: "healthy",
      label: "healthy",
      detail: coolingKeys.length ? `${coolingKeys.length} of ${keys.length} keys cooling` : null,
    };
  }
  return { kind: "idle", label: "no traffic yet", detail: null };
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

/** Shorthand for an input's onInput value. */
export const val = (
  e: TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>,
) => e.currentTarget.value;

/** An input type chosen at run time (Preact's types want a literal). */
export const dynType = (t: "text" | "password" | "number") => t as "text";

/** A count with thousands separators; one fixed locale so server and browser render the same. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "2026-01-08 00:00 UTC": the same text on the server and in every browser. */
export function utcTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

/** What a quota bar draws: fill and threshold marker in percent of the budget (0-100). */
export interface QuotaView {
  fill: number;
  mark: number;
  /** Past the threshold and the period has not reset yet (a stale status is not "exhausted"). */
  exhausted: boolean;
  /** Within 10 points of the threshold. */
  near: boolean;
}

/** The bar's geometry and state for a quota standing at `now` (ms); null without a quota. */
export function quotaView(q: QuotaStatus | null | undefined, now: number): QuotaView | null {
  if (!q) return null;
  const clamp = (n: number) => Math.max(0, Math.min(100, Number.isFinite(n) ? n : 0));
  const fill = clamp(q.tokens > 0 ? (q.used / q.tokens) * 100 : 0);
  const exhausted = q.exhausted && Date.parse(q.resetsAt) > now;
  return {
    fill: Math.round(fill * 10) / 10,
    mark: clamp(q.thresholdPercent),
    exhausted,
    near: !exhausted && fill >= q.thresholdPercent - 10,
  };
}

/**
 * A quota's usage bar: used / tokens, percent, a marker at the threshold, and when it resets (or
 * until when the provider is skipped). An SVG draws it: its attributes need no inline style, which
 * the page's CSP forbids, so it renders the same without JavaScript.
 */
export function QuotaBar(
  { store, quota, name, small }: {
    store: Store;
    quota: QuotaStatus;
    /** What the quota belongs to, for screen readers and tests ("zai", "zai#2"). */
    name: string;
    small?: boolean;
  },
) {
  const v = quotaView(quota, nowMs(store))!;
  const nums = `${formatCount(quota.used)} / ${formatCount(quota.tokens)} tokens`;
  const reset = `${relative(store, quota.resetsAt)} (${utcTime(quota.resetsAt)})`;
  return (
    <div
      class={`quota${small ? " small" : ""}${v.exhausted ? " exhausted" : v.near ? " near" : ""}`}
      data-quota={name}
    >
      <div class="quota-line">
        {small && <code class="quota-name">{name}</code>}
        <span class="quota-nums">{nums}</span>
        <span class="quota-pct">{quota.percent} %</span>
        {!small && <span class="hint">per {quota.period}</span>}
      </div>
      <div
        class="meter"
        role="meter"
        aria-label={`Token quota of ${name}`}
        aria-valuemin={0}
        aria-valuemax={quota.tokens}
        aria-valuenow={Math.min(quota.used, quota.tokens)}
        aria-valuetext={`${nums}, ${quota.percent} %; skipped past ${quota.thresholdPercent} %`}
      >
        <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <rect class="meter-track" x="0" y="0" width="100" height="10" />
          <rect class="meter-fill" x="0" y="0" width={v.fill} height="10" />
          <line
            class="meter-mark"
            x1={v.mark}
            x2={v.mark}
            y1="0"
            y2="10"
            vector-effect="non-scaling-stroke"
          />
        </svg>
      </div>
      {v.exhausted
        ? (
          <p class="quota-out">
            Quota reached: skipped until{" "}
            <time dateTime={quota.resetsAt}>{utcTime(quota.resetsAt)}</time>{" "}
            ({relative(store, quota.resetsAt)})
          </p>
        )
        : (
          <p class="hint quota-reset">
            Resets <time dateTime={quota.resetsAt}>{reset}</time>
            {!small && ` · skipped past ${quota.thresholdPercent} %`}
          </p>
        )}
    </div>
  );
}

/** Today's requests and tokens by kind, e.g. "3 requests · 30 in · 15 out · 7 cache read". */
export function usageText(usage: UsageStatus | null | undefined): string {
  const t = usage?.today;
  if (!t || t.requests === 0) return "no requests yet today";
  return [
    `${formatCount(t.requests)} request${t.requests === 1 ? "" : "s"}`,
    `${formatCount(t.input)} in`,
    `${formatCount(t.output)} out`,
    `${formatCount(t.cache_read)} cache read`,
    `${formatCount(t.cache_write)} cache write`,
  ].join(" · ");
}
