/** Island: the provider chain — live state, reorder (drag or buttons), add, edit, test, delete. */
import { useState } from "preact/hooks";
import { addFromPreset, moveProvider, removeProvider, testProvider } from "./parts/actions.ts";
import type { ProviderDraft } from "./parts/draft.ts";
import { ProviderEditor } from "./parts/provider_editor.tsx";
import {
  editProvider,
  errorsUnder,
  providerChanged,
  type ProviderStatus,
  type Store,
} from "./parts/store.ts";
import { Badge, liveState, nowMs, QuotaBar, relative, usageText, val } from "./parts/ui.tsx";

export default function Chain({ store }: { store: Store }) {
  const providers = store.draft.value.providers;
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const [picking, setPicking] = useState(false);
  return (
    <div class="chain">
      {providers.length === 0 && (
        <p class="empty">
          No providers: every request will fail. Add one below (Anthropic, your own key is the usual
          first).
        </p>
      )}
      <ol class="cards" aria-label="Providers, in the order they are tried">
        {providers.map((p, i) => (
          <ProviderCard
            key={p.uid}
            store={store}
            p={p}
            index={i}
            count={providers.length}
            dragging={dragging === p.uid}
            dropBefore={dropAt === i && dragging !== null}
            dropAfter={dropAt === providers.length && i === providers.length - 1 &&
              dragging !== null}
            onDragStart={() => setDragging(p.uid)}
            onDragEnd={() => {
              setDragging(null);
              setDropAt(null);
            }}
            onDragOverHalf={(after) => setDropAt(after ? i + 1 : i)}
            onDrop={() => {
              if (dragging && dropAt !== null) {
                const from = providers.findIndex((x) => x.uid === dragging);
                moveProvider(store, dragging, dropAt > from ? dropAt - 1 : dropAt);
              }
              setDragging(null);
              setDropAt(null);
            }}
          />
        ))}
      </ol>
      <BillingSummary store={store} />
      <div class="add-provider">
        <button
          type="button"
          class="btn primary"
          aria-expanded={picking}
          aria-controls="preset-picker"
          disabled={!store.mounted.value}
          onClick={() => setPicking(!picking)}
        >
          + Add provider
        </button>
        {picking && (
          <div id="preset-picker" class="presets" role="group" aria-label="Start from a preset">
            {store.data.presets.map((preset) => (
              <button
                type="button"
                key={preset.id}
                class="preset"
                data-preset={preset.id}
                onClick={() => {
                  const uid = addFromPreset(store, preset);
                  setPicking(false);
                  requestAnimationFrame(() => document.getElementById(`${uid}-name`)?.focus());
                }}
              >
                <strong>{preset.label}</strong>
                <span>{preset.description}</span>
                <span class="preset-type">{preset.provider.type}</span>
              </button>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

/** How each billing path reads on the page. */
const BILLING_LABELS: Record<string, string> = {
  client: "each client's own credential (subscription or API key)",
  subscription: "a Claude subscription",
  api_key: "an API key (paid per token)",
  aws_bedrock: "an AWS account (Bedrock)",
  google_vertex: "a Google Cloud account (Vertex AI)",
  none: "nothing (no credential sent)",
};

/**
 * Requests per billing path over the last 24 hours, so a silent switch from a subscription to
 * paid API usage is visible at a glance.
 */
function BillingSummary({ store }: { store: Store }) {
  const billing = store.status.value.billing;
  if (!billing) return null;
  const paths = Object.entries(billing) as [
    string,
    { served24h: number; lastServedAt: string | null },
  ][];
  const used = paths.filter(([, b]) => b.served24h > 0);
  return (
    <p class="billing-summary" aria-live="polite">
      <strong>Billing, last 24 h:</strong> {used.length === 0
        ? "no requests served yet."
        : used.map(([path, b], i) => (
          <span key={path} data-billing-path={path}>
            {i > 0 && " · "}
            {BILLING_LABELS[path] ?? path}: {b.served24h}
            {b.lastServedAt && (
              <span class="hint">{` (last ${relative(store, b.lastServedAt)})`}</span>
            )}
          </span>
        ))}
    </p>
  );
}

interface CardProps {
  store: Store;
  p: ProviderDraft;
  index: number;
  count: number;
  dragging: boolean;
  dropBefore: boolean;
  dropAfter: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
  onDragOverHalf: (after: boolean) => void;
  onDrop: () => void;
}

function ProviderCard(props: CardProps) {
  const { store, p, index, count } = props;
  const mounted = store.mounted.value;
  const open = store.open.value.includes(p.uid);
  const changed = providerChanged(store, p);
  const status = p.origId ? store.status.value.providers.find((s) => s.id === p.origId) : undefined;
  const live = liveState(store, changed === "new" ? undefined : status, p.enabled);
  const title = p.name || p.id || "New provider";
  const problems = errorsUnder(store, `${p.uid}.`).length;
  const toggleOpen = () =>
    store.open.value = open
      ? store.open.value.filter((u) => u !== p.uid)
      : [...store.open.value, p.uid];
  const move = (to: number, button: "up" | "down") => {
    moveProvider(store, p.uid, to);
    // The card moved in the DOM: keep the keyboard where it was.
    requestAnimationFrame(() => {
      const el = document.getElementById(`${p.uid}-move-${button}`) as HTMLButtonElement | null;
      (el && !el.disabled
        ? el
        : document.getElementById(`${p.uid}-move-${button === "up" ? "down" : "up"}`))
        ?.focus();
    });
  };
  const models = p.modelMap.filter((r) => r.a.trim() && r.b.trim());
  const keys = p.keys.filter((k) => k.stored || k.value.trim());
  return (
    <li
      class={[
        "card",
        p.enabled ? "" : "off",
        props.dragging ? "dragging" : "",
        props.dropBefore ? "drop-before" : "",
        props.dropAfter ? "drop-after" : "",
        changed ? "changed" : "",
      ].join(" ")}
      data-provider={p.id}
      aria-labelledby={`${p.uid}-title`}
      onDragOver={(e) => {
        if (!e.dataTransfer) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
        props.onDragOverHalf(e.clientY > box.top + box.height / 2);
      }}
      onDrop={(e) => {
        e.preventDefault();
        props.onDrop();
      }}
    >
      <div class="card-head">
        <span
          class="handle"
          draggable={mounted}
          title="Drag to reorder"
          aria-hidden="true"
          onDragStart={(e) => {
            e.dataTransfer?.setData("text/plain", p.uid);
            if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
            const card = (e.currentTarget as HTMLElement).closest("li");
            if (card && e.dataTransfer) e.dataTransfer.setDragImage(card, 20, 20);
            props.onDragStart();
          }}
          onDragEnd={props.onDragEnd}
        >
          ⋮⋮
        </span>
        <span class="pos" aria-hidden="true">{index + 1}</span>
        <div class="title">
          <h3 id={`${p.uid}-title`}>
            <span class="visually-hidden">{`${index + 1}. `}</span>
            {title}
            {p.name && p.id && <span class="id">{p.id}</span>}
          </h3>
          <div class="chips">
            <Badge kind="type">{p.type}</Badge>
            {changed !== "new" && (
              <Badge kind={live.kind}>
                <span class="dot" aria-hidden="true" />
                {live.label}
              </Badge>
            )}
            {changed && (
              <Badge kind="changed">{changed === "new" ? "new, unsaved" : "edited"}</Badge>
            )}
            {problems > 0 && <Badge kind="problem">{problems} to fix</Badge>}
          </div>
        </div>
        <div class="switch">
          <input
            type="checkbox"
            role="switch"
            id={`${p.uid}-enabled`}
            aria-label={`Enabled: ${title}`}
            checked={p.enabled}
            disabled={!mounted}
            onChange={(e) => editProvider(store, p.uid, (x) => {
              x.enabled = e.currentTarget.checked;
            }, ["enabled"])}
          />
          <label for={`${p.uid}-enabled`}>
            Enabled
          </label>
        </div>
      </div>

      <dl class="facts">
        <div>
          <dt>Base URL</dt>
          <dd>
            <code class="url">{p.baseUrl || "—"}</code>
          </dd>
        </div>
        <div>
          <dt>Credential</dt>
          <dd>
            {p.passthrough
              ? "the client's own (passthrough)"
              : keys.length === 0
              ? <span class="warn-text">no keys</span>
              : (
                <span class="keys">
                  {keys.map((k) => {
                    const ks = status?.keys?.find((x) => k.stored && x.key === k.value);
                    const cooling = ks?.cooling && Date.parse(ks.cooling.until) > nowMs(store);
                    return (
                      <span key={k.uid} class={cooling ? "key cooling" : "key"}>
                        <code>{k.stored ? k.value : "new key"}</code>
                        {cooling && <span class="hint">cooling</span>}
                      </span>
                    );
                  })}
                  <span class="hint">via {p.authHeader}</span>
                </span>
              )}
          </dd>
        </div>
        <div>
          <dt>Models</dt>
          <dd>
            {models.length === 0 ? "passed through unchanged" : (
              <span class="models">
                {models.map((r) => (
                  <span key={r.uid} class="map">
                    <code>{r.a}</code> → <code>{r.b}</code>
                  </span>
                ))}
              </span>
            )}
          </dd>
        </div>
        {status && changed !== "new" && (
          <div>
            <dt>Last 24 h</dt>
            <dd>
              {status.ok24h ?? 0} ok · {status.fail24h ?? 0} failed
              {status.clientCredentialsCooling > 0 &&
                ` · ${status.clientCredentialsCooling} client credential(s) cooling`}
            </dd>
          </div>
        )}
        {status && changed !== "new" && <UsageFacts store={store} status={status} />}
        {status?.billing && changed !== "new" && (
          <div>
            <dt>Billed to</dt>
            <dd data-billing={status.billing}>{BILLING_LABELS[status.billing]}</dd>
          </div>
        )}
        {status?.lastError && changed !== "new" && (
          <div class="last-error">
            <dt>Last error</dt>
            <dd>
              {status.lastError}
              {status.lastErrorAt && (
                <span class="hint">({relative(store, status.lastErrorAt)})</span>
              )}
            </dd>
          </div>
        )}
        {live.detail && (
          <div>
            <dt>State</dt>
            <dd>{live.detail}</dd>
          </div>
        )}
      </dl>

      <div class="card-actions">
        <div class="move">
          <button
            type="button"
            class="btn icon"
            id={`${p.uid}-move-up`}
            disabled={!mounted || index === 0}
            aria-label={`Move ${title} up`}
            onClick={() => move(index - 1, "up")}
          >
            ↑
          </button>
          <button
            type="button"
            class="btn icon"
            id={`${p.uid}-move-down`}
            disabled={!mounted || index === count - 1}
            aria-label={`Move ${title} down`}
            onClick={() => move(index + 1, "down")}
          >
            ↓
          </button>
        </div>
        <TestControl store={store} p={p} changed={changed} />
        <button
          type="button"
          class="btn"
          aria-expanded={open}
          aria-controls={`${p.uid}-editor`}
          disabled={!mounted}
          onClick={toggleOpen}
        >
          {open ? "Close editor" : "Edit"}
          <span class="visually-hidden">{` ${title}`}</span>
        </button>
        <button
          type="button"
          class="btn danger-text"
          disabled={!mounted}
          onClick={() => removeProvider(store, p.uid)}
        >
          Delete<span class="visually-hidden">{` ${title}`}</span>
        </button>
      </div>
      <TestResultLine store={store} uid={p.uid} />
      {open && (
        <div id={`${p.uid}-editor`} class="editor-wrap">
          <ProviderEditor store={store} p={p} />
        </div>
      )}
    </li>
  );
}

/** Token quota bars (the provider's, or one per key) and today's tokens and requests. */
function UsageFacts({ store, status }: { store: Store; status: ProviderStatus }) {
  const keyQuotas = (status.keys ?? []).filter((k) => k.quota);
  return (
    <>
      {(status.quota || keyQuotas.length > 0) && (
        <div class="wide quota-fact">
          <dt>
            {status.quota
              ? "Token quota"
              : `Token quota per key (per ${keyQuotas[0].quota!.period})`}
          </dt>
          <dd>
            {status.quota && <QuotaBar store={store} quota={status.quota} name={status.id} />}
            {keyQuotas.length > 0 && (
              <div class="key-quotas">
                {keyQuotas.map((k) => (
                  <QuotaBar key={k.label} store={store} quota={k.quota!} name={k.label} small />
                ))}
              </div>
            )}
          </dd>
        </div>
      )}
      <div class="wide">
        <dt>Today (UTC)</dt>
        <dd>
          {usageText(status.usage)}
        </dd>
      </div>
    </>
  );
}

function TestControl(
  { store, p, changed }: { store: Store; p: ProviderDraft; changed: string | null },
) {
  const [apiKey, setApiKey] = useState("");
  const running = store.tests.value[p.uid]?.running ?? false;
  const unsaved = changed !== null || p.origId === null;
  const needsKey = p.passthrough;
  const run = () => void testProvider(store, p.uid, p.origId!, needsKey ? apiKey : undefined);
  return (
    <form
      class="test"
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
    >
      {needsKey && !unsaved && (
        <>
          <label class="visually-hidden" for={`${p.uid}-test-key`}>
            API key to test {p.name || p.id} with
          </label>
          <input
            id={`${p.uid}-test-key`}
            type="password"
            class="test-key"
            autoComplete="off"
            placeholder="API key for the test"
            value={apiKey}
            disabled={!store.mounted.value}
            onInput={(e) => setApiKey(val(e))}
          />
        </>
      )}
      <button
        type="submit"
        class="btn"
        disabled={!store.mounted.value || unsaved || running || (needsKey && apiKey.trim() === "")}
        title={unsaved
          ? "Save first: the test runs against the saved provider"
          : needsKey && !apiKey.trim()
          ? "A passthrough provider has no key of its own: type one to test with"
          : "Send a one-token request through this provider alone"}
      >
        {running ? "Testing…" : "Test"}
        <span class="visually-hidden">{` ${p.name || p.id}`}</span>
      </button>
    </form>
  );
}

function TestResultLine({ store, uid }: { store: Store; uid: string }) {
  const r = store.tests.value[uid];
  if (!r || r.running) return null;
  return (
    <p class={`test-result ${r.ok ? "ok" : "fail"}`} role="status">
      {r.ok ? "✓ Test passed" : "✗ Test failed"}
      {r.status !== undefined && r.status !== null && ` · HTTP ${r.status}`}
      {r.latencyMs !== undefined && ` · ${r.latencyMs} ms`}
      {r.model && ` · model ${r.model}`}
      {r.error && ` · ${r.error}`}
    </p>
  );
}
