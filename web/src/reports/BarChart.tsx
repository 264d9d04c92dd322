import { useMemo } from "react";
import uPlot from "uplot";
import { UPlotChart } from "./UPlotChart.tsx";

export interface BarSeries {
  label: string;
  color: string;
  /** One value per label; null draws no bar. */
  values: (number | null)[];
}

/** uPlot's bar paths, one builder per slot in a group, so up to three series stand side by side. */
const GROUPED = [
  [uPlot.paths.bars?.({ size: [0.6, 60] })],
  [uPlot.paths.bars?.({ size: [0.35, 40], align: -1 }), uPlot.paths.bars?.({ size: [0.35, 40], align: 1 })],
];

/**
 * A bar chart over named groups (categories, agents): one bar per series in each group, the group names on
 * the x axis, and the exact values in the legend on hover. `format` renders axis ticks and legend values.
 */
export function BarChart({
  label,
  groupLabel = "",
  labels,
  series,
  format = (v) => String(v),
  incrs,
}: {
  label: string;
  /** What the groups are ("Category"), shown in the legend. */
  groupLabel?: string;
  labels: string[];
  series: BarSeries[];
  format?: (v: number) => string;
  incrs?: number[];
}) {
  const { data, options } = useMemo(() => {
    const paths = GROUPED[Math.min(series.length, 2) - 1] ?? GROUPED[0]!;
    const data: uPlot.AlignedData = [labels.map((_, i) => i), ...series.map((s) => s.values)];
    const options: Omit<uPlot.Options, "width"> = {
      height: 240,
      scales: {
        x: { time: false, auto: false, range: () => [-0.5, Math.max(labels.length, 1) - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: [
        {
          splits: () => labels.map((_, i) => i),
          values: (_u, ticks) => ticks.map((t) => labels[t] ?? ""),
          grid: { show: false },
        },
        { values: (_u, ticks) => ticks.map(format), size: 60, ...(incrs ? { incrs } : {}) },
      ],
      series: [
        { label: groupLabel, value: (_u, v) => (v === null ? "" : (labels[v] ?? "")) },
        ...series.map((s, i) => ({
          label: s.label,
          fill: s.color,
          stroke: s.color,
          paths: paths[i] ?? paths[0],
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? "—" : format(v)),
        })),
      ],
      legend: { show: series.length > 1 },
    };
    return { data, options };
  }, [labels, series, format, incrs, groupLabel]);
  return <UPlotChart label={label} data={data} options={options} />;
}
