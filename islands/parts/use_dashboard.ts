/**
 * The dashboard island's state: the chosen range, the loaded series and how loading went; loads
 * once hydrated, then every minute while the page is visible.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "./api.ts";
import { type DashRange, isSeries, REFRESH_MS, seriesPath, type UsageSeries } from "./dashboard.ts";
import type { Store } from "./store.ts";

export type LoadState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; at: number };

/** A range in words ("24 hours"). */
export const RANGE_WORDS: Record<DashRange, string> = { "24h": "24 hours", "7d": "7 days" };

/** The dashboard's range, series, load state and live-region text, and the range switch. */
export function useDashboard(store: Store) {
  const mounted = store.mounted.value;
  const [range, setRange] = useState<DashRange>("24h");
  const [series, setSeries] = useState<UsageSeries | null>(null);
  const [state, setState] = useState<LoadState>({ kind: "idle" });
  const [live, setLive] = useState("");
  // Answers to an older load are dropped once a newer one was started (a quick toggle).
  const generation = useRef(0);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const lastLoad = useRef(0);

  async function load(r: DashRange, quiet = false) {
    const gen = ++generation.current;
    lastLoad.current = Date.now();
    if (!quiet) setState({ kind: "loading" });
    const res = await api<unknown>(store, "GET", seriesPath(r));
    if (gen !== generation.current) return;
    if (!res.ok || !isSeries(res.data)) {
      const message = res.status === 401
        ? "The session has ended: log in again to see the dashboard."
        : `The dashboard did not load: ${res.ok ? "unexpected answer" : errorMessage(res)}.`;
      setState({ kind: "error", message });
      if (!quiet) setLive(message);
      return;
    }
    setSeries(res.data);
    setState({ kind: "ready", at: Date.now() });
    if (!quiet) setLive(`Dashboard for the last ${RANGE_WORDS[r]} loaded.`);
  }

  // First load once hydrated, then every minute while the page is visible; a tab that comes
  // back after a while catches up at once instead of waiting for the next tick.
  useEffect(() => {
    if (!mounted) return;
    load(rangeRef.current);
    const tick = setInterval(() => {
      if (document.visibilityState === "visible") load(rangeRef.current, true);
    }, REFRESH_MS);
    const back = () => {
      if (
        document.visibilityState === "visible" && Date.now() - lastLoad.current >= REFRESH_MS
      ) load(rangeRef.current, true);
    };
    document.addEventListener("visibilitychange", back);
    return () => {
      clearInterval(tick);
      document.removeEventListener("visibilitychange", back);
    };
  }, [mounted]);

  function choose(r: DashRange) {
    if (r === range) return;
    setRange(r);
    load(r);
  }

  return { mounted, range, series, state, live, choose };
}
