/**
 * Holm's step-down adjustment of p-values for multiple tests, as R's `p.adjust(p, "holm")`: the
 * k-th smallest of m p-values is multiplied by m − k + 1, each adjusted value is at least the one
 * before it, and none is over 1. It controls the chance of any false rejection in the family at
 * the chosen level, without Bonferroni's loss of power and without assuming independent tests.
 */
export function holm(p: readonly number[]): number[] {
  const m = p.length;
  // Ties keep their input order, so the same p-values always give the same adjustment.
  const order = p.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ value, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * value));
    adjusted[i] = running;
  });
  return adjusted;
}
