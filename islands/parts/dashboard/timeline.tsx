/** The dashboard's cooldown and circuit timeline. */
import {
  eventText,
  positionPct,
  providerName,
  providerSlot,
  recentEvents,
  type UsageSeries,
} from "../dashboard.ts";
import { RANGE_WORDS } from "../use_dashboard.ts";
import { Swatch } from "./tables.tsx";

/** Cooldown and circuit events: a strip along the range, and the list that says what each was. */
export function Timeline({ s }: { s: UsageSeries }) {
  const { shown, more } = recentEvents(s);
  return (
    <section class="dash-card dash-timeline" id="dash-events" aria-labelledby="dash-events-title">
      <h3 id="dash-events-title">Cooldowns and circuit events</h3>
      {!s.events.length
        ? <p class="dash-desc">No provider cooled down or tripped its circuit in this range.</p>
        : (
          <>
            <p class="dash-desc">
              {s.events.length} event(s) in the last {RANGE_WORDS[s.range]}, newest first.
            </p>
            <div class="dash-strip" aria-hidden="true">
              {s.events.map((e) => (
                <span
                  key={e.id}
                  class={`dash-tick dash-tick-${e.kind}`}
                  // Set through the DOM (CSSOM) in the browser only: the CSP allows no style attribute.
                  style={{ left: `${positionPct(s, e.time)}%` }}
                  title={`${new Date(e.time).toLocaleString()}: ${providerName(s, e.provider)} ${
                    eventText(e)
                  }`}
                />
              ))}
            </div>
            <ol class="dash-events">
              {shown.map((e) => (
                <li key={e.id} class={`dash-event dash-event-${e.kind}`}>
                  <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
                  <span class="dash-event-provider">
                    <Swatch slot={providerSlot(s, e.provider)} />
                    {providerName(s, e.provider)}
                  </span>
                  <span class={`badge badge-${e.kind === "circuit" ? "failing" : "cooling"}`}>
                    {e.kind}
                  </span>
                  <span class="dash-event-text">
                    {eventText(e)}
                    {e.until && ` until ${new Date(e.until).toLocaleTimeString()}`}
                  </span>
                </li>
              ))}
            </ol>
            {more > 0 && <p class="dash-desc">And {more} older event(s).</p>}
          </>
        )}
    </section>
  );
}
