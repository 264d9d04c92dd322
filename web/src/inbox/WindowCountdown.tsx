import { useEffect, useState } from "react";

/** The 24-hour customer service window as a live countdown; free-form replies are only allowed inside it. */
export function WindowCountdown({ expiresAt }: { expiresAt: string | null }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = expiresAt ? Date.parse(expiresAt) - now : -1;
  if (left <= 0)
    return (
      <span className="window closed" data-testid="window">
        24h window closed — templates only
      </span>
    );
  const h = Math.floor(left / 3_600_000);
  const m = Math.floor((left % 3_600_000) / 60_000);
  const s = Math.floor((left % 60_000) / 1000);
  return (
    <span className={h < 1 ? "window soon" : "window"} data-testid="window">
      window closes in {h}h {String(m).padStart(2, "0")}m {String(s).padStart(2, "0")}s
    </span>
  );
}
