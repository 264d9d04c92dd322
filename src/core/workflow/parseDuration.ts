const ISO =
  /^(-)?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * An ISO-8601 duration (`PT24H`, `P30D`, `PT0.5S`, `-PT1H`) in milliseconds, or null when it is not one.
 * Months and years are left out on purpose: their length depends on the calendar.
 * @example parseDuration("PT24H") === 86_400_000
 */
export function parseDuration(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m || text.trim() === "P" || text.trim().endsWith("T")) return null;
  const [, neg, w, d, h, min, s] = m;
  if (!w && !d && !h && !min && !s) return null;
  const ms =
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(s ?? 0) * 1000;
  return neg ? -ms : ms;
}
