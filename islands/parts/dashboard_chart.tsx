/**
 * One uPlot chart in the dashboard. The server render (and the first browser render) is an empty
 * frame: uPlot draws on a canvas, so it is created in an effect, in the browser only, sized by a
 * ResizeObserver and coloured from the page's CSS variables (light or dark).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { type Columns, compact, PALETTE_SIZE } from "./dashboard.ts";

/** One line of a chart. */
export interface LineSpec {
  label: string;
  /** Colour slot (--chart-<slot+1>), the same for a provider in every chart. */
  slot: number;
  /** A CSS variable to draw with instead of the slot's: lines that are not a provider's. */
  color?: string;
  /** Dashed (p95 beside a solid p50). */
  dashed?: boolean;
}

/** A vertical marker: a cooldown or circuit event at `t` (ms). */
export interface Marker {
  t: number;
  kind: "cooldown" | "circuit";
}

interface ChartProps {
  /** What the chart shows, read out for the canvas (which screen readers cannot read). */
  label: string;
  lines: LineSpec[];
  data: Columns;
  /** Axis and legend values. */
  format?: (n: number) => string;
  /** A fixed y range (e.g. 0-100 for a percentage). */
  yMax?: number;
  /** Always draw points: for series with gaps (latency, rate) a lone hour is a dot, not nothing. */
  points?: boolean;
  markers?: Marker[];
  /** Bucket width (ms): the x axis runs to the end of the last, still running, hour. */
  stepMs?: number;
}

/** The colours the charts use, read from static/css/dashboard.css so they follow the theme. */
function themeColors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    axis: v("--muted", "#5b6479"),
    grid: v("--border", "#dfe3ee"),
    cooldown: v("--warn", "#9a5b00"),
    circuit: v("--bad", "#c0262d"),
    of: (name: string) => v(name, "#5b6479"),
    slots: Array.from({ length: PALETTE_SIZE }, (_, i) => v(`--chart-${i + 1}`, "#4f46e5")),
  };
}

/** Plot height for a frame width: a little lower on a phone. */
function heightFor(width: number): number {
  return width < 480 ? 180 : 220;
}

/** Draws the event markers over the plot after each redraw. */
function markerPlugin(markers: () => Marker[], colors: ReturnType<typeof themeColors>) {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const list = markers();
        if (!list.length) return;
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        // Two pixels at a whole x: crisp, not a blurred pair of half-tone columns.
        ctx.lineWidth = 2 * devicePixelRatio;
        // Equal dashes and gaps, the circuit's shifted by one dash: a cooldown and a circuit
        // event in the same second share a line and both colours stay visible.
        const dash = 4 * devicePixelRatio;
        ctx.setLineDash([dash, dash]);
        for (const m of list) {
          const x = Math.round(u.valToPos(m.t / 1000, "x", true));
          if (x < left || x > left + width) continue;
          ctx.strokeStyle = m.kind === "circuit" ? colors.circuit : colors.cooldown;
          ctx.lineDashOffset = m.kind === "circuit" ? dash : 0;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/** A uPlot line chart that redraws when its data change and resizes with its frame. */
export function Chart(
  { label, lines, data, format = compact, yMax, points, markers, stepMs = 3_600_000 }: ChartProps,
) {
  const frame = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markerRef = useRef<Marker[]>(markers ?? []);
  markerRef.current = markers ?? [];
  // Bumped when the colour scheme flips, so the chart is rebuilt with the other palette.
  const [scheme, setScheme] = useState(0);
  // A new set of lines (a provider added, another range) needs a new chart; new numbers do not.
  const shape = JSON.stringify([lines, yMax ?? null, points ?? false, stepMs, scheme]);

  useEffect(() => {
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const flip = () => setScheme((n) => n + 1);
    mq.addEventListener("change", flip);
    return () => mq.removeEventListener("change", flip);
  }, []);

  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const colors = themeColors();
    const width = Math.max(200, el.clientWidth);
    const stroke = (l: LineSpec) => l.color ? colors.of(l.color) : colors.slots[l.slot];
    const axis = {
      stroke: colors.axis,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    };
    const opts: uPlot.Options = {
      width,
      height: heightFor(width),
      scales: {
        // Points sit at their hour's start; events fall anywhere within the hour.
        x: { time: true, range: (_u, min, max) => [min, max + stepMs / 1000] },
        y: yMax === undefined
          ? { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }
          : { range: [0, yMax] },
      },
      axes: [
        { ...axis, space: 60 },
        { ...axis, size: 66, values: (_u, vals) => vals.map((n) => format(n)) },
      ],
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: stroke(l),
          width: 2,
          dash: l.dashed ? [6, 4] : undefined,
          spanGaps: false,
          points: points ? { show: true, size: 6, fill: stroke(l) } : undefined,
          value: (_u: uPlot, n: number | null) => n === null ? "—" : format(n),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      plugins: [markerPlugin(() => markerRef.current, colors)],
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    // The legend repeats what the table in each chart's <details> says, and only on hover.
    u.root.querySelector(".u-legend")?.setAttribute("aria-hidden", "true");
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height: heightFor(w) });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <div class="dash-plot" ref={frame} role="img" aria-label={label} />;
}
