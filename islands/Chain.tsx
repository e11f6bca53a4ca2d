/** Island: the provider chain — live state, reorder (drag or buttons), add, edit, test, delete. */
import { useState } from "preact/hooks";
import { addFromPreset, moveProvider } from "./parts/actions.ts";
import { CardActions, TestResultLine } from "./parts/chain/card_actions.tsx";
import { BILLING_LABELS, CardFacts } from "./parts/chain/card_facts.tsx";
import { CardHead } from "./parts/chain/card_head.tsx";
import type { ProviderDraft } from "./parts/draft.ts";
import { ProviderEditor } from "./parts/provider_editor.tsx";
import { errorsUnder, providerChanged, type Store } from "./parts/store.ts";
import { liveState, relative } from "./parts/ui.tsx";

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

/** One provider of the chain: a drop target for reordering, its head, facts, actions, editor. */
function ProviderCard(props: CardProps) {
  const { store, p, index, count } = props;
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
      <CardHead
        store={store}
        p={p}
        index={index}
        title={title}
        changed={changed}
        live={live}
        problems={problems}
        onDragStart={props.onDragStart}
        onDragEnd={props.onDragEnd}
      />

      <CardFacts store={store} p={p} status={status} changed={changed} live={live} />

      <CardActions
        store={store}
        p={p}
        index={index}
        count={count}
        title={title}
        changed={changed}
        open={open}
        toggleOpen={toggleOpen}
      />
      <TestResultLine store={store} uid={p.uid} />
      {open && (
        <div id={`${p.uid}-editor`} class="editor-wrap">
          <ProviderEditor store={store} p={p} />
        </div>
      )}
    </li>
  );
}
