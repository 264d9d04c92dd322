import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type uPlot from "uplot";
import type { z } from "zod";
import type {
  activityResource,
  closesByCategoryResource,
  responseTimesResource,
} from "../../../src/http/routes/reportRoutes.ts";
import { api, qs } from "../api/api.ts";
import type { Channel } from "../api/apiTypes.ts";
import { duration } from "../inbox/formatTime.ts";
import { BarChart, type BarSeries } from "./BarChart.tsx";
import { ReportTable } from "./ReportTable.tsx";
import { UPlotChart } from "./UPlotChart.tsx";

type Activity = z.infer<typeof activityResource>;
type ByCategory = z.infer<typeof closesByCategoryResource>;
type Times = z.infer<typeof responseTimesResource>;
type AgentRow = Times["by_agent"][number];

const agentName = (r: AgentRow) =>
  r.name ??
  ({ workflow: "Workflows", api: "API", system: "Auto-close", bot: "Bot" } as Record<string, string>)[
    r.actor.type
  ] ??
  r.actor.type;

const DAY = 86_400_000;
/** Counts are whole numbers: keep the y axis on integer steps. */
const countIncrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];
const countAxis: uPlot.Axis = { incrs: countIncrs };
/** Duration axes in minutes, on round steps (1 min … 1 week). */
const minuteIncrs = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10_080];
const asDuration = (minutes: number) => (minutes === 0 ? "0" : duration(minutes * 60_000));
const toMinutes = (ms: number | null) => (ms === null ? null : ms / 60_000);
const asCount = (v: number) => String(v);

const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const PRESETS = [7, 30, 90] as const;

/** A preset as the last N UTC days, today included. */
function lastDays(n: number) {
  const today = Math.floor(Date.now() / DAY) * DAY;
  return { from: dayString(today - (n - 1) * DAY), to: dayString(today) };
}

const durationOrDash = (ms: number | null) => (ms === null ? "—" : duration(ms));

/**
 * Reports over a date range (UTC days, from and to inclusive) and a number: opened vs closed per day, closes by
 * category, median resolution and first-response times by category and by agent — charts with the exact
 * numbers in tables below — and a CSV of every close in the range (from the server) plus the summary table.
 */
export default function ReportsPage() {
  const [range, setRange] = useState(() => lastDays(30));
  const [channel, setChannel] = useState("");
  const preset = PRESETS.find((n) => {
    const r = lastDays(n);
    return r.from === range.from && r.to === range.to;
  });
  const valid = Boolean(range.from && range.to && range.from <= range.to);
  const query = valid
    ? qs({
        from: `${range.from}T00:00:00.000Z`,
        to: new Date(Date.parse(`${range.to}T00:00:00.000Z`) + DAY).toISOString(),
        channel_id: channel,
      })
    : "";
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ data: Channel[] }>("GET", "/api/v1/channels"),
  });
  const activity = useQuery({
    queryKey: ["report", "activity", query],
    queryFn: () => api<Activity>("GET", `/api/v1/reports/activity${query}`),
    enabled: valid,
  });
  const byCategory = useQuery({
    queryKey: ["report", "categories", query],
    queryFn: () => api<ByCategory>("GET", `/api/v1/reports/closes-by-category${query}`),
    enabled: valid,
  });
  const times = useQuery({
    queryKey: ["report", "times", query],
    queryFn: () => api<Times>("GET", `/api/v1/reports/response-times${query}`),
    enabled: valid,
  });
  const error = activity.error ?? byCategory.error ?? times.error;

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
      // One tick per day at most: the data are daily.
      axes: [
        { incrs: [DAY / 1000, (2 * DAY) / 1000, (7 * DAY) / 1000, (14 * DAY) / 1000, (30 * DAY) / 1000] },
        countAxis,
      ],
    };
    return { data, options };
  }, [activity.data]);

  const categories = useMemo(() => {
    const rows = [...(byCategory.data?.data ?? [])].sort((a, b) => b.count - a.count);
    const labels = rows.map((r) => r.category?.name ?? "No category");
    const series: BarSeries[] = [{ label: "Closes", color: "#7c3aed", values: rows.map((r) => r.count) }];
    return { rows, labels, series };
  }, [byCategory.data]);

  const timeCharts = useMemo(() => {
    const cats = times.data?.by_category ?? [];
    const agents = times.data?.by_agent ?? [];
    const pair = (rows: { median_resolution_ms: number | null; median_first_response_ms: number | null }[]) =>
      [
        {
          label: "Median first response",
          color: "#f59e0b",
          values: rows.map((r) => toMinutes(r.median_first_response_ms)),
        },
        {
          label: "Median resolution",
          color: "#0891b2",
          values: rows.map((r) => toMinutes(r.median_resolution_ms)),
        },
      ] satisfies BarSeries[];
    return {
      categoryLabels: cats.map((r) => r.category?.name ?? "No category"),
      categorySeries: pair(cats),
      agentLabels: agents.map(agentName),
      agentSeries: pair(agents),
    };
  }, [times.data]);

  const summaryCsv = () => {
    const lines = [
      "category,closes,median_resolution_minutes,closes_with_reply,median_first_response_minutes",
    ];
    const minutes = (ms: number | null) => (ms === null ? "" : (ms / 60_000).toFixed(1));
    for (const r of times.data?.by_category ?? [])
      lines.push(
        [
          `"${(r.category?.name ?? "No category").replace(/"/g, '""')}"`,
          r.closes,
          minutes(r.median_resolution_ms),
          r.first_responses,
          minutes(r.median_first_response_ms),
        ].join(","),
      );
    const url = URL.createObjectURL(new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv" }));
    const a = Object.assign(document.createElement("a"), {
      href: url,
      download: `summary-by-category-${range.from}-to-${range.to}.csv`,
    });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="reports">
      <div className="report-filters">
        <select
          value={preset ?? "custom"}
          onChange={(e) => e.target.value !== "custom" && setRange(lastDays(Number(e.target.value)))}
          aria-label="Date range"
        >
          {PRESETS.map((n) => (
            <option key={n} value={n}>
              Last {n} days
            </option>
          ))}
          <option value="custom">Custom range</option>
        </select>
        <label>
          From{" "}
          <input
            type="date"
            aria-label="From"
            value={range.from}
            max={range.to}
            onChange={(e) => setRange({ ...range, from: e.target.value })}
          />
        </label>
        <label>
          to{" "}
          <input
            type="date"
            aria-label="To"
            value={range.to}
            min={range.from}
            onChange={(e) => setRange({ ...range, to: e.target.value })}
          />
        </label>
        <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
          <option value="">All numbers</option>
          {channels.data?.data.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <a
          className={valid ? "button" : "button disabled"}
          href={valid ? `/api/v1/reports/closings.csv${query}` : undefined}
          download
          data-testid="closings-csv"
        >
          Download closes (CSV)
        </a>
        <button type="button" onClick={summaryCsv} disabled={!times.data}>
          Summary CSV
        </button>
        <span className="muted">UTC days</span>
      </div>
      {!valid && <p className="error">Pick a start date on or before the end date.</p>}
      {error && <p className="error">{error.message}</p>}
      <section className="card">
        <h3>Conversations opened and closed per day</h3>
        <UPlotChart label="Opened and closed per day" data={overTime.data} options={overTime.options} />
      </section>
      <section className="card">
        <h3>Closes by category</h3>
        <BarChart
          label="Closes by category"
          groupLabel="Category"
          labels={categories.labels}
          series={categories.series}
          format={asCount}
          incrs={countIncrs}
        />
        <ReportTable
          testId="closes-by-category"
          rows={categories.rows}
          rowKey={(r) => r.category?.key ?? "none"}
          columns={[
            ["Category", (r) => r.category?.name ?? "No category"],
            ["Closes", (r) => r.count],
            ["Median resolution", (r) => durationOrDash(r.median_duration_ms)],
          ]}
        />
      </section>
      <section className="card">
        <h3>Response times by category</h3>
        <p className="muted">
          First response: from the customer's first message (or the open, if they haven't written) to the
          first reply by an agent, bot, workflow or API integration. Resolution: from the open to the close.
          Over the conversations closed in the range.
        </p>
        <BarChart
          label="Median first-response and resolution time by category"
          groupLabel="Category"
          labels={timeCharts.categoryLabels}
          series={timeCharts.categorySeries}
          format={asDuration}
          incrs={minuteIncrs}
        />
        <ReportTable
          testId="times-by-category"
          rows={times.data?.by_category}
          rowKey={(r) => r.category?.key ?? "none"}
          columns={[
            ["Category", (r) => r.category?.name ?? "No category"],
            ["Closes", (r) => r.closes],
            ["Median first response", (r) => durationOrDash(r.median_first_response_ms)],
            ["Median resolution", (r) => durationOrDash(r.median_resolution_ms)],
          ]}
        />
      </section>
      <section className="card">
        <h3>Response times by agent</h3>
        <p className="muted">
          Resolution counts the conversations each agent closed; first response, those where they sent the
          first reply.
        </p>
        <BarChart
          label="Median first-response and resolution time by agent"
          groupLabel="Agent"
          labels={timeCharts.agentLabels}
          series={timeCharts.agentSeries}
          format={asDuration}
          incrs={minuteIncrs}
        />
        <ReportTable
          testId="times-by-agent"
          rows={times.data?.by_agent}
          rowKey={(r) => `${r.actor.type}:${r.actor.id ?? ""}`}
          columns={[
            ["Agent", agentName],
            ["Closes", (r) => r.closes],
            ["Median resolution", (r) => durationOrDash(r.median_resolution_ms)],
            ["First replies", (r) => r.first_responses],
            ["Median first response", (r) => durationOrDash(r.median_first_response_ms)],
          ]}
        />
      </section>
    </div>
  );
}
