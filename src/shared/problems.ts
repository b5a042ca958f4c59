/** Operations on lists of problems that every checker reports the same way. */
import type { Problem } from './yaml-source.ts';

/** In file order, then line order; the same problem reported twice (by two checks) appears once. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.file}\u0000${p.line}\u0000${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}
