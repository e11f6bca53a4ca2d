/** A provider card's facts: base URL, credential, models, live state, usage and billing. */
import type { ProviderDraft } from "../draft.ts";
import type { ProviderStatus, Store } from "../store.ts";
import { type liveState, nowMs, QuotaBar, relative, usageText } from "../ui.tsx";
import { LimitFacts } from "../limits.tsx";

/** How each billing path reads on the page. */
export const BILLING_LABELS: Record<string, string> = {
  client: "each client's own credential (subscription or API key)",
  subscription: "a Claude subscription",
  api_key: "an API key (paid per token)",
  aws_bedrock: "an AWS account (Bedrock)",
  google_vertex: "a Google Cloud account (Vertex AI)",
  none: "nothing (no credential sent)",
};

/** What a provider card says about its provider (the saved state, once it is saved). */
export function CardFacts(
  { store, p, status, changed, live }: {
    store: Store;
    p: ProviderDraft;
    status: ProviderStatus | undefined;
    changed: string | null;
    live: ReturnType<typeof liveState>;
  },
) {
  const models = p.modelMap.filter((r) => r.a.trim() && r.b.trim());
  return (
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
          <Credential store={store} p={p} status={status} />
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
      {status && changed !== "new" && <LimitFacts store={store} provider={status.id} />}
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

/** Whose credential the provider uses: the client's, or its stored keys (cooling ones marked). */
function Credential(
  { store, p, status }: { store: Store; p: ProviderDraft; status: ProviderStatus | undefined },
) {
  const keys = p.keys.filter((k) => k.stored || k.value.trim());
  return (
    <>
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
    </>
  );
}
