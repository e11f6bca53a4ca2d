/** The browser entry (bundled to static/build/admin.js): hydrates every island on the page. */
import { type ComponentType, hydrate } from "preact";
import type { PageData } from "../lib/admin/page_data.ts";
import AccessKeys from "./AccessKeys.tsx";
import Chain from "./Chain.tsx";
import Connect from "./Connect.tsx";
import Dashboard from "./Dashboard.tsx";
import ImportExport from "./ImportExport.tsx";
import RequestLog from "./RequestLog.tsx";
import SaveBar from "./SaveBar.tsx";
import Settings from "./Settings.tsx";
import { startStatusPolling } from "./parts/actions.ts";
import { createStore, type Store } from "./parts/store.ts";

const ISLANDS: Record<string, ComponentType<{ store: Store }>> = {
  AccessKeys,
  Chain,
  Connect,
  Dashboard,
  ImportExport,
  RequestLog,
  SaveBar,
  Settings,
};

const dataEl = document.getElementById("detour-data");
if (dataEl?.textContent) {
  const store = createStore(JSON.parse(dataEl.textContent) as PageData);
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const Island = ISLANDS[el.dataset.island ?? ""];
    if (Island) hydrate(<Island store={store} />, el);
  }
  // Controls render disabled until here, so a page without JavaScript never offers dead ones.
  store.mounted.value = true;
  document.documentElement.classList.add("hydrated");
  startStatusPolling(store);
}
