/** A customer action the simulator cannot perform (unknown number, nothing to tap). */
export class SimulatorError extends Error {
  override name = "SimulatorError";
}
