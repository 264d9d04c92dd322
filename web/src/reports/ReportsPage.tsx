import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import uPlot from "uplot";
import type { z } from "zod";
import type {
  activityResource,
  closesByCategoryResource,
  closesByCloserResource,
} from "../../../src/http/routes/reportRoutes.ts";
import { api, qs } from "../api/api.ts";
import type { Channel } from "../api/apiTypes.ts";
import { duration } from "../inbox/formatTime.ts";
import { UPlotChart } from "./UPlotChart.tsx";

type Activity = z.infer<typeof activityResource>;
type ByCategory = z.infer<typeof closesByCategoryResource>;
type ByCloser = z.infer<typeof closesByCloserResource>;

const closerName = (r: ByCloser["data"][number]) =>
  r.name ??
  (r.closed_by.type === "workflow"
    ? "Workflows"
    : r.closed_by.type === "api"
      ? "API"
      : r.closed_by.type === "system"
        ? "Auto-close"
        : r.closed_by.type);

const DAY = 86_400_000;
const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
/** Counts are whole numbers: keep the y axis on integer steps. */
const countAxis: uPlot.Axis = { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] };

/** Opened vs closed over time, and closes by category (a bar chart plus the exact numbers and CSV). */
export default function ReportsPage() {
  const [days, setDays] = useState(30);
  const [channel, setChannel] = useState("");
  const range = useMemo(() => {
    const to = new Date(Math.ceil(Date.now() / DAY) * DAY);
    return { from: new Date(to.getTime() - days * DAY).toISOString(), to: to.toISOString() };
  }, [days]);
  const query = qs({ ...range, channel_id: channel });
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ data: Channel[] }>("GET", "/api/v1/channels"),
  });
  const activity = useQuery({
    queryKey: ["report", "activity", query],
    queryFn: () => api<Activity>("GET", `/api/v1/reports/activity${query}`),
  });
  const byCloser = useQuery({
    queryKey: ["report", "closers", query],
    queryFn: () => api<ByCloser>("GET", `/api/v1/reports/closes-by-closer${query}`),
  });
  const byCategory = useQuery({
    queryKey: ["report", "categories", query],
    queryFn: () => api<ByCategory>("GET", `/api/v1/reports/closes-by-category${query}`),
  });

  const overTime = useMemo(() => {
    const rows = activity.data?.data ?? [];
    const data: uPlot.AlignedData = [
      rows.map((r) => Date.parse(r.day) / 1000),
      rows.map((r) => r.opened),
      rows.map((r) => r.closed),
    ];
    const options: Omit<uPlot.Options, "width"> = {
      height: 240,
      series: [
        {},
        { label: "Opened", stroke: "#2563eb", width: 2 },
        { label: "Closed", stroke: "#16a34a", width: 2 },
      ],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{}, countAxis],
    };
    return { data, options };
  }, [activity.data]);

  const categories = useMemo(() => {
    const rows = [...(byCategory.data?.data ?? [])].sort((a, b) => b.count - a.count);
    const names = rows.map((r) => r.category?.name ?? "No category");
    const data: uPlot.AlignedData = [rows.map((_, i) => i), rows.map((r) => r.count)];
    const options: Omit<uPlot.Options, "width"> = {
      height: 240,
      scales: {
        x: { time: false, auto: false, range: () => [-0.5, Math.max(rows.length, 1) - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: [
        {
          splits: () => rows.map((_, i) => i),
          values: (_u, ticks) => ticks.map((t) => names[t] ?? ""),
          grid: { show: false },
        },
        countAxis,
      ],
      series: [
        {},
        { label: "Closes", fill: "#7c3aed", stroke: "#7c3aed", paths: bars, points: { show: false } },
      ],
      legend: { show: false },
    };
    return { rows, data, options };
  }, [byCategory.data]);

  const csv = () => {
    const lines = ["category,closes,median_resolution_minutes"];
    for (const r of categories.rows)
      lines.push(
        `"${(r.category?.name ?? "No category").replace(/"/g, '""')}",${r.count},${r.median_duration_ms === null ? "" : Math.round(r.median_duration_ms / 60_000)}`,
      );
    const url = URL.createObjectURL(new Blob([lines.join("\n")], { type: "text/csv" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: "closes-by-category.csv" });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="reports">
      <div className="report-filters">
        <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Date range">
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
        </select>
        <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
          <option value="">All numbers</option>
          {channels.data?.data.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={csv}>
          Export CSV
        </button>
      </div>
      <section className="card">
        <h3>Conversations opened and closed per day</h3>
        <UPlotChart label="Opened and closed per day" data={overTime.data} options={overTime.options} />
      </section>
      <section className="card">
        <h3>Closes by category</h3>
        <UPlotChart label="Closes by category" data={categories.data} options={categories.options} />
        <table data-testid="closes-by-category">
          <thead>
            <tr>
              <th>Category</th>
              <th>Closes</th>
              <th>Median resolution</th>
            </tr>
          </thead>
          <tbody>
            {categories.rows.map((r) => (
              <tr key={r.category?.key ?? "none"}>
                <td>{r.category?.name ?? "No category"}</td>
                <td>{r.count}</td>
                <td>{r.median_duration_ms === null ? "—" : duration(r.median_duration_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h3>Closes by agent</h3>
        <table data-testid="closes-by-agent">
          <thead>
            <tr>
              <th>Closed by</th>
              <th>Closes</th>
              <th>Median resolution</th>
            </tr>
          </thead>
          <tbody>
            {byCloser.data?.data.map((r) => (
              <tr key={`${r.closed_by.type}:${r.closed_by.id ?? ""}`}>
                <td>{closerName(r)}</td>
                <td>{r.count}</td>
                <td>{duration(r.median_duration_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
