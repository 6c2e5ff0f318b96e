// Time-series charts (uPlot) with a text fallback for screen readers.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./ui";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export function timeChart(title: string, times: number[], series: Series[], unit: string): HTMLElement {
  const holder = h("div", { class: "chart-canvas" });
  const total = series.map((s) => `${s.label}: ${s.values.reduce<number>((a, v) => a + (v ?? 0), 0)}`).join(", ");
  const fig = h(
    "figure",
    { class: "chart card" },
    h("figcaption", {}, title),
    holder,
    h("p", { class: "sr-only" }, `${title} (${unit}) — ${total}`),
  );
  // uPlot needs a width: draw once the figure is in the document and laid out.
  requestAnimationFrame(() => {
    const width = Math.max(260, Math.floor(holder.clientWidth || fig.clientWidth || 320));
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: { x: { time: true } },
        axes: [{}, { label: unit, size: 56 }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 4 } }))],
        legend: { live: false },
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      holder,
    );
    const ro = new ResizeObserver(() => {
      const w = Math.floor(holder.clientWidth);
      if (w > 0 && Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: 200 });
    });
    ro.observe(holder);
  });
  return fig;
}
