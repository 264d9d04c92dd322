/** What the simulator saw of the business's sends: accepted sends per number (times) and errors by code. */
export interface SimulatorStatsSnapshot {
  numbers: {
    phone_number_id: string;
    accepted: number;
    first_at: number | null;
    last_at: number | null;
    /** The most sends accepted in any one-second window. */
    max_per_second: number;
  }[];
  errors: Record<string, number>;
}

/**
 * Counts for the send benchmark and for operators checking throughput: how fast Parley really sent, and
 * whether it ever hit 130429 (throughput) or 131056 (pair rate).
 */
export class SimulatorStats {
  #accepted = new Map<string, number[]>();
  #errors = new Map<number, number>();

  accepted(phoneNumberId: string, at: number): void {
    let times = this.#accepted.get(phoneNumberId);
    if (!times) {
      times = [];
      this.#accepted.set(phoneNumberId, times);
    }
    times.push(at);
  }

  error(code: number): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.#accepted.clear();
    this.#errors.clear();
  }

  snapshot(): SimulatorStatsSnapshot {
    return {
      numbers: [...this.#accepted].map(([id, times]) => ({
        phone_number_id: id,
        accepted: times.length,
        first_at: times[0] ?? null,
        last_at: times.at(-1) ?? null,
        max_per_second: maxInWindow(times, 1000),
      })),
      errors: Object.fromEntries([...this.#errors].map(([code, n]) => [String(code), n])),
    };
  }
}

/** Times arrive in order; a two-pointer sweep finds the busiest window. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
