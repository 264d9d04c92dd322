import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Mounts a uPlot chart and rebuilds it when its data or options change; sized to its container's width. */
export function UPlotChart({
  options,
  data,
  label,
}: {
  options: Omit<uPlot.Options, "width">;
  data: uPlot.AlignedData;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot({ ...options, width: el.clientWidth || 600 }, data, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: options.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [options, data]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
