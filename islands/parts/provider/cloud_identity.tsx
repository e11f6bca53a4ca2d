/**
 * The provider editor's "signs in as" for Bedrock and Vertex: which AWS identity (account and
 * ARN) or Google account (service account or user e-mail) the saved provider's credentials are,
 * from GET /admin/api/providers/:id/identity. Never a secret.
 */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api.ts";
import type { Props } from "./props.ts";

/** What the identity endpoint answers. */
interface Identity {
  source: string;
  identity: string | null;
  account?: string;
  error?: string;
}

type Shown = { running: true } | { running: false; text: string; failed: boolean };

/** Says in words who the provider signs in as. */
function describe(found: Identity): { text: string; failed: boolean } {
  if (found.identity) {
    const account = found.account && !found.identity.includes(found.account)
      ? ` (account ${found.account})`
      : "";
    return { text: `${found.identity}${account}, through ${found.source}`, failed: false };
  }
  return { text: `${found.source}: ${found.error ?? "no identity known"}`, failed: true };
}

/** A button that looks up the identity of the saved provider, and what it found. */
export function CloudIdentity({ store, p }: Props) {
  const [shown, setShown] = useState<Shown | null>(null);
  if (p.type !== "bedrock" && p.type !== "vertex") return null;
  const saved = p.origId;
  const lookUp = async () => {
    if (!saved) return;
    setShown({ running: true });
    const res = await api<Identity>(
      store,
      "GET",
      `/admin/api/providers/${encodeURIComponent(saved)}/identity`,
    );
    setShown(
      res.ok
        ? { running: false, ...describe(res.data) }
        : { running: false, text: errorMessage(res), failed: true },
    );
  };
  return (
    <div class="group cloud-identity">
      <div class="group-head">
        <h4>Signs in as</h4>
        <p class="hint">
          The {p.type === "bedrock" ? "AWS account and ARN" : "Google service account or user"}{" "}
          the saved credentials belong to ({p.type === "bedrock"
            ? 'pasted keys, or awsCredentials: "default" with an optional awsProfile'
            : 'a service account key, or googleCredentials: "default"'}). Secrets are never shown.
        </p>
      </div>
      <div class="row">
        <button
          type="button"
          class="btn small"
          disabled={!saved || shown?.running === true}
          onClick={() => void lookUp()}
        >
          {saved ? "Show identity" : "Save first to see the identity"}
        </button>
        <span
          class={shown && !shown.running && shown.failed ? "msg error" : "hint"}
          role="status"
          data-identity
        >
          {shown === null ? "" : shown.running ? "Looking up…" : shown.text}
        </span>
      </div>
    </div>
  );
}
