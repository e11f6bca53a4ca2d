/** A provider card's head: drag handle, position, name, state chips and the enabled switch. */
import type { ProviderDraft } from "../draft.ts";
import { editProvider, type Store } from "../store.ts";
import { Badge, type liveState } from "../ui.tsx";

interface HeadProps {
  store: Store;
  p: ProviderDraft;
  index: number;
  title: string;
  changed: string | null;
  live: ReturnType<typeof liveState>;
  /** How many of its fields have an error. */
  problems: number;
  onDragStart: () => void;
  onDragEnd: () => void;
}

/** The head row of a provider card. */
export function CardHead(
  { store, p, index, title, changed, live, problems, ...drag }: HeadProps,
) {
  const mounted = store.mounted.value;
  return (
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
          drag.onDragStart();
        }}
        onDragEnd={drag.onDragEnd}
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
          {changed && <Badge kind="changed">{changed === "new" ? "new, unsaved" : "edited"}</Badge>}
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
          onChange={(e) =>
            editProvider(store, p.uid, (x) => {
              x.enabled = e.currentTarget.checked;
            }, ["enabled"])}
        />
        <label for={`${p.uid}-enabled`}>
          Enabled
        </label>
      </div>
    </div>
  );
}
