/**
 * The form that edits one provider of the draft (inside its card in the chain), one section per
 * module in parts/provider/.
 */
import { RowMessage } from "./ui.tsx";
import { CloudIdentity } from "./provider/cloud_identity.tsx";
import { ExtraFields } from "./provider/extra_fields.tsx";
import { KeysEditor } from "./provider/keys.tsx";
import { ProfileEditor } from "./provider/profile.tsx";
import type { Props } from "./provider/props.ts";
import { QuotaEditor } from "./provider/quota.tsx";
import { SpillEditor } from "./provider/spill.tsx";
import { RowsEditor } from "./provider/rows.tsx";
import { AuthHeaderField, BasicFields, TimingFields } from "./provider/basics.tsx";

export { compactTokens } from "./provider/quota.tsx";

/** The editor of one provider: its sections in the order a user fills them in. */
export function ProviderEditor({ store, p }: Props) {
  const disabled = !store.mounted.value;
  const id = (f: string) => `${p.uid}-${f}`;
  const preset = store.data.presets.find((pr) =>
    pr.provider.baseUrl === p.baseUrl && pr.provider.type === p.type
  );
  return (
    <fieldset class="editor" disabled={disabled}>
      <legend class="visually-hidden">Edit {p.name || p.id}</legend>
      <BasicFields store={store} p={p} />

      {!p.passthrough && <KeysEditor store={store} p={p} hint={preset?.keyHint} />}

      <AuthHeaderField store={store} p={p} />

      <RowsEditor
        store={store}
        p={p}
        section="modelMap"
        title="Model map"
        hint="Rows are tried top to bottom; the first match wins. * matches any run of characters (claude-*haiku*). With no rows, model names pass through unchanged; with rows but no match (and no *), this provider does not take that model."
        aLabel="Requested model (pattern)"
        bLabel="Send as model"
        aPlaceholder="claude-*sonnet*"
        bPlaceholder="upstream-model-name"
        addLabel="Add mapping"
        orderable
      />

      <RowsEditor
        store={store}
        p={p}
        section="headers"
        title="Extra headers"
        hint="Sent with every request to this provider. Stored values are never sent back to this page (they often hold a credential): they stay as they are unless you replace them."
        aLabel="Header name"
        bLabel="Value"
        aPlaceholder="x-header-name"
        bPlaceholder="value"
        addLabel="Add header"
      />

      <QuotaEditor store={store} p={p} />

      <SpillEditor store={store} p={p} />

      <TimingFields store={store} p={p} />

      <ExtraFields store={store} p={p} />
      <CloudIdentity store={store} p={p} />
      <ProfileEditor store={store} p={p} />
      <RowMessage store={store} errorKey={`${p.uid}._`} id={id("msg")} />
    </fieldset>
  );
}
