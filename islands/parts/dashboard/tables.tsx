/** The dashboard's numbers as tables (under each chart's "The numbers"), and colour swatches. */
import { colorSlot, ms, percent, summarize, type UsageSeries } from "../dashboard.ts";

/** An hour's start in the reader's time zone ("Nov 21, 14:00"). */
function hourLabel(ms: number): string {
  return new Date(ms).toLocaleString([], {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** A provider's colour, as in the charts. */
export function Swatch({ slot }: { slot: number | null }) {
  return slot === null ? null : <span class={`dash-swatch dash-c${slot + 1}`} aria-hidden="true" />;
}

/** The hours that had traffic, one column per provider, with the range's total. */
export function PerHourTable(
  { s, field, hours }: { s: UsageSeries; field: "requests" | "tokens"; hours: number[] },
) {
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>{field === "requests" ? "Requests" : "Tokens"} per hour with traffic</caption>
        <thead>
          <tr>
            <th scope="col">Hour</th>
            {s.providers.map((p, i) => (
              <th scope="col" key={p.id}>
                <Swatch slot={colorSlot(i)} />
                {p.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => (
            <tr key={s.buckets[h]}>
              <th scope="row">{hourLabel(s.buckets[h])}</th>
              {s.providers.map((p) => <td key={p.id}>{p[field][h].toLocaleString("en-US")}</td>)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {s.providers.map((p) => (
              <td key={p.id} data-provider={p.id}>{p.total[field].toLocaleString("en-US")}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** Requests, fallbacks, their rate and errors per hour with traffic. */
export function FallbackTable({ s, hours }: { s: UsageSeries; hours: number[] }) {
  const sum = summarize(s);
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>Fallbacks and errors per hour with traffic</caption>
        <thead>
          <tr>
            <th scope="col">Hour</th>
            <th scope="col">Requests</th>
            <th scope="col">Fell back</th>
            <th scope="col">Rate</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => {
            const rate = s.all.fallbackRate[h];
            return (
              <tr key={s.buckets[h]}>
                <th scope="row">{hourLabel(s.buckets[h])}</th>
                <td>{s.all.requests[h]}</td>
                <td>{s.all.fallbacks[h]}</td>
                <td>{percent(rate === null ? null : Math.round(rate * 1000) / 10)}</td>
                <td>{s.all.errors[h]}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>{sum.requests}</td>
            <td>{sum.fallbacks}</td>
            <td>{percent(sum.fallbackPct)}</td>
            <td>{sum.errors}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** p50 and p95 time to first byte per provider over the whole range. */
export function LatencyTable({ s }: { s: UsageSeries }) {
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>Latency over the whole range (time to first byte)</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Requests</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {s.providers.map((p, i) => (
            <tr key={p.id}>
              <th scope="row">
                <Swatch slot={colorSlot(i)} />
                {p.name}
              </th>
              <td>{p.total.requests}</td>
              <td>{ms(p.total.p50)}</td>
              <td>{ms(p.total.p95)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
