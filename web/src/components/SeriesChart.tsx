// A sensor's series as a Chart.js line chart on a linear time axis (no date adapter needed):
// raw vs clean, forecast band and mean, anomalous points, quality flags. The chart is
// created once and updated in place when the data or the range changes.

import { useEffect, useMemo, useRef } from "react";
import type { Plugin } from "chart.js";
import { Chart } from "../chartSetup";
import { DAY, formatAxisTime, formatDateTime, formatNumber, formatUnit, HOUR, MINUTE } from "../format";
import { BAND_LOWER, buildDatasets, type XY } from "../seriesDatasets";
import type { Series } from "../types";

const STEPS = [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];

/** A tick step that falls on whole minutes, hours or days and gives at most ~8 ticks. */
function timeStep(span: number): number {
  return STEPS.find((s) => span / s <= 8) ?? Math.ceil(span / 8 / DAY) * DAY;
}

export interface TimeWindow {
  from: number;
  to: number;
}

interface Props {
  series: Series;
  unit: string;
  range: TimeWindow;
  /** A window to shade (an event's span). */
  highlight?: TimeWindow | null;
  compact?: boolean;
  showRaw?: boolean;
  testId?: string;
  label: string;
}

export function SeriesChart({ series, unit, range, highlight = null, compact = false, showRaw = true, testId, label }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<"line", XY[]> | null>(null);
  const highlightRef = useRef<TimeWindow | null>(highlight);
  highlightRef.current = highlight;

  const datasets = useMemo(() => buildDatasets(series, { showRaw, compact }), [series, showRaw, compact]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const shade: Plugin<"line"> = {
      id: "eventWindow",
      beforeDatasetsDraw(chart) {
        const w = highlightRef.current;
        if (!w) return;
        const x = chart.scales.x;
        const { top, bottom, left, right } = chart.chartArea;
        const x0 = Math.max(left, x.getPixelForValue(w.from));
        const x1 = Math.min(right, x.getPixelForValue(w.to));
        if (x1 <= x0) return;
        const ctx = chart.ctx;
        ctx.save();
        ctx.fillStyle = "rgba(213, 94, 0, 0.08)";
        ctx.fillRect(x0, top, x1 - x0, bottom - top);
        ctx.restore();
      },
    };
    const chart = new Chart<"line", XY[]>(canvas, {
      type: "line",
      data: { datasets: [] },
      plugins: [shade],
      options: {
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: {
            type: "linear",
            ticks: {
              maxRotation: 0,
              autoSkipPadding: 16,
              includeBounds: false,
              callback(value) {
                const scale = this;
                return formatAxisTime(Number(value), Number(scale.max) - Number(scale.min));
              },
            },
          },
          y: { type: "linear", title: { display: !compact, text: formatUnit(unit) } },
        },
        plugins: {
          legend: {
            display: !compact,
            position: "bottom",
            labels: { usePointStyle: true, boxWidth: 10, filter: (item) => item.text !== BAND_LOWER },
          },
          tooltip: {
            filter: (item) => item.dataset.label !== BAND_LOWER,
            callbacks: {
              title: (items) => (items.length ? formatDateTime(items[0].parsed.x) : ""),
              label: (item) => `${item.dataset.label ?? ""}: ${formatNumber(item.parsed.y, 2)} ${formatUnit(unit)}`,
            },
          },
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [compact, unit]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.data.datasets = datasets;
    const x = chart.options.scales?.x;
    if (x) {
      x.min = range.from;
      x.max = range.to;
      if (x.type === "linear" && x.ticks) x.ticks.stepSize = timeStep(range.to - range.from);
    }
    chart.update("none");
  }, [datasets, range.from, range.to, highlight?.from, highlight?.to]);

  return (
    <div className={compact ? "chart chart-compact" : "chart"}>
      <canvas ref={canvasRef} data-testid={testId} role="img" aria-label={label} />
    </div>
  );
}
