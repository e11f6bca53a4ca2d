/** Island: "Connect Claude Code" — the exact lines, with copy buttons. */
import { useState } from "preact/hooks";
import type { Store } from "./parts/store.ts";
import { CopyButton, val } from "./parts/ui.tsx";

const PLACEHOLDER = "<your access key>";

/** The environment Claude Code needs, in order. */
export function connectEnv(baseUrl: string, accessKey: string | null): [string, string][] {
  const env: [string, string][] = [["ANTHROPIC_BASE_URL", baseUrl]];
  if (accessKey !== null) env.push(["ANTHROPIC_CUSTOM_HEADERS", `x-detour-key: ${accessKey}`]);
  // Claude Code otherwise calls api.anthropic.com directly too (flags, telemetry), with the
  // same headers: the access key must not travel there.
  env.push(["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"]);
  return env;
}

export default function Connect({ store }: { store: Store }) {
  const [typed, setTyped] = useState("");
  const storedKeys = store.saved.value.providers.some((p) => p.enabled && !p.passthrough);
  // Follows the chain until the user decides.
  const [choice, setWithKey] = useState<boolean | null>(null);
  const withKey = choice ??
    (storedKeys || store.data.accessKeysExist || store.createdKey.value !== null);
  const key = store.createdKey.value?.key ?? (typed.trim() || PLACEHOLDER);
  const env = connectEnv(store.data.baseUrl, withKey ? key : null);
  const shell = env.map(([k, v]) =>
    `export ${k}=${/[\s"$`\\<>]/.test(v) ? `"${v.replace(/(["$`\\])/g, "\\$1")}"` : v}`
  );
  const settings = JSON.stringify({ env: Object.fromEntries(env) }, null, 2);
  return (
    <div class="connect">
      <div class="check">
        <input
          type="checkbox"
          id="connect-with-key"
          checked={withKey}
          disabled={!store.mounted.value}
          onChange={(e) => setWithKey(e.currentTarget.checked)}
        />
        <label for="connect-with-key">
          Send an access key
          <span class="hint">
            {storedKeys
              ? "Needed for the providers with stored keys, unless Claude Code runs on this machine and no access key exists."
              : "Your chain only passes clients' own credentials through, so no access key is needed yet."}
          </span>
        </label>
      </div>
      {withKey && !store.createdKey.value && (
        <div class="field">
          <label for="connect-key">Access key to put in the lines</label>
          <input
            id="connect-key"
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="Paste a key, or create one above"
            value={typed}
            disabled={!store.mounted.value}
            onInput={(e) => setTyped(val(e))}
          />
          <p class="hint">
            Only typed into this page to fill the lines below; keys are shown once, at creation.
          </p>
        </div>
      )}
      <h3>Shell (add to ~/.bashrc or ~/.zshrc)</h3>
      <ul class="code-lines" aria-label="Shell lines">
        {shell.map((line, i) => (
          <li key={env[i][0]}>
            <code>{line}</code>
            <CopyButton store={store} text={line} what={env[i][0]} />
          </li>
        ))}
      </ul>
      <div class="copy-all">
        <CopyButton
          store={store}
          text={shell.join("\n") + "\n"}
          label="Copy all"
          what="shell lines"
        />
      </div>
      <h3>
        Or in <code>~/.claude/settings.json</code>
      </h3>
      <div class="code-block">
        <pre><code>{settings}</code></pre>
        <CopyButton store={store} text={settings + "\n"} what="the settings.json block" />
      </div>
      <p class="hint">
        Merge the <code>env</code>{" "}
        block into an existing settings file. Claude Code keeps using your own Anthropic key or
        Claude login first; Detour falls back when Anthropic cannot answer.{" "}
        <code>CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1</code>{" "}
        stops Claude Code from sending these headers, access key included, straight to
        api.anthropic.com for telemetry and feature flags.
      </p>
    </div>
  );
}
