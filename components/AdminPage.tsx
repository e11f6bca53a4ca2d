/**
 * The admin page (server-rendered): every section is readable without JavaScript; the islands
 * hydrate from the JSON block at the end and add editing.
 */
import type { ComponentChildren, ComponentType } from "preact";
import type { DeployProblem } from "../lib/deploy_checks.ts";
import { jsonForHtml, type PageData } from "../lib/admin/page_data.ts";
import AccessKeys from "../islands/AccessKeys.tsx";
import Chain from "../islands/Chain.tsx";
import Connect from "../islands/Connect.tsx";
import Dashboard from "../islands/Dashboard.tsx";
import ImportExport from "../islands/ImportExport.tsx";
import RequestLog from "../islands/RequestLog.tsx";
import SaveBar from "../islands/SaveBar.tsx";
import Settings from "../islands/Settings.tsx";
import { createStore, type Store } from "../islands/parts/store.ts";
import { Brand, Layout } from "./Layout.tsx";

/** An island's server render, in the element the browser bundle hydrates. */
function Island(
  { name, component: C, store }: {
    name: string;
    component: ComponentType<{ store: Store }>;
    store: Store;
  },
) {
  return (
    <div data-island={name}>
      <C store={store} />
    </div>
  );
}

function Section(
  { id, title, intro, children }: {
    id: string;
    title: string;
    intro: ComponentChildren;
    children: ComponentChildren;
  },
) {
  return (
    <section id={id} class="section" aria-labelledby={`${id}-title`}>
      <div class="section-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <p>{intro}</p>
      </div>
      {children}
    </section>
  );
}

export function AdminPage(
  { data, css, script, problems = [] }: {
    data: PageData;
    css: string | null;
    script: string | null;
    /** What is unsafe on Deno Deploy (lib/deploy_checks.ts), shown above everything. */
    problems?: DeployProblem[];
  },
) {
  const store = createStore(data);
  return (
    <Layout title="Admin" css={css}>
      <a class="skip" href="#main">Skip to the chain</a>
      <header class="topbar">
        <a href="/admin" class="home" aria-label="Detour admin home">
          <Brand />
        </a>
        <nav aria-label="Sections">
          <a href="#chain">Chain</a>
          <a href="#dashboard">Dashboard</a>
          <a href="#requests">Requests</a>
          <a href="#settings">Settings</a>
          <a href="#access">Access keys</a>
          <a href="#connect">Connect</a>
          <a href="#import-export">Import / export</a>
        </nav>
        <form method="post" action="/admin/logout" class="logout">
          <input type="hidden" name="_csrf" value={data.csrf} />
          <button type="submit" class="btn small">Log out</button>
        </form>
      </header>
      {problems.map((p) => (
        <p class="banner deploy-problem" role="alert" data-problem={p.code}>
          <strong>Unsafe on Deno Deploy:</strong> {p.message}
        </p>
      ))}
      <noscript>
        <p class="banner">
          JavaScript is off: this page shows the current chain, its state and settings; editing them
          needs JavaScript.
        </p>
      </noscript>
      {!script && (
        <p class="banner">
          The page's script has not been built (<code>deno task build</code>): the page is read-only
          until it is.
        </p>
      )}
      <main id="main">
        <Section
          id="chain"
          title="Provider chain"
          intro="Each request goes to the first enabled provider that takes its model and is not cooling down; when it fails (rate limit, overload, outage, a refused key) the same request goes to the next one."
        >
          <Island name="Chain" component={Chain} store={store} />
        </Section>
        <Section
          id="dashboard"
          title="Dashboard"
          intro="Requests, tokens, fallbacks and latency per provider over the last 24 hours or 7 days, with cooldowns and circuit events; summed from every instance, refreshed every minute."
        >
          <Island name="Dashboard" component={Dashboard} store={store} />
        </Section>
        <Section
          id="requests"
          title="Requests"
          intro="The last requests (kept 7 days): who sent them, which providers were tried, how each attempt ended and how long it took. Open one to see its attempts."
        >
          <Island name="RequestLog" component={RequestLog} store={store} />
        </Section>
        <Section
          id="settings"
          title="Settings"
          intro="When to fall back, how long a failing provider is left out, and request limits."
        >
          <Island name="Settings" component={Settings} store={store} />
        </Section>
        <Section
          id="access"
          title="Access keys"
          intro="Clients must present an access key before Detour spends the keys stored here. Clients that pass their own Anthropic credential through need none for that."
        >
          <Island name="AccessKeys" component={AccessKeys} store={store} />
        </Section>
        <Section
          id="connect"
          title="Connect Claude Code"
          intro="Point Claude Code at Detour with these lines; nothing else changes for it."
        >
          <Island name="Connect" component={Connect} store={store} />
        </Section>
        <Section
          id="import-export"
          title="Import / export"
          intro="Move a config between Detour instances, keep a backup, or bring over a claude-code-fallback provider list."
        >
          <Island name="ImportExport" component={ImportExport} store={store} />
        </Section>
      </main>
      <Island name="SaveBar" component={SaveBar} store={store} />
      <script
        type="application/json"
        id="detour-data"
        // deno-lint-ignore react-no-danger
        dangerouslySetInnerHTML={{ __html: jsonForHtml(data) }}
      />
      {script && <script type="module" src={script} />}
    </Layout>
  );
}
