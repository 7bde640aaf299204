/**
 * "Did you mean" for config keys and enum values: optimal-string-alignment distance (so the
 * transposition in "pyhton" costs 1, not 2) over names normalised for case and `_`/`-`.
 */

/** Lower case, and `_` or spaces as `-`: `Fail_On` and `fail-on` are the same intent. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, "-");
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** How many edits still read as a typo rather than a different word. */
function tolerance(length: number): number {
  if (length <= 3) return 1;
  if (length <= 6) return 2;
  return 3;
}

/** "timeout" for "timeout-minutes", "python-version" for "python": one word extends the other. */
function extendsName(word: string, candidate: string): boolean {
  const [short, long] = word.length < candidate.length ? [word, candidate] : [candidate, word];
  return short.length >= 4 && long.startsWith(short);
}

/**
 * The candidate the user most likely meant, or undefined when none is close. Ties go to the
 * earlier candidate, so pass candidates in the order the docs list them.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  // Names longer than any key are junk, and the distance table is quadratic in length.
  if (word.length === 0 || word.length > 64) return undefined;
  const wanted = normalizeName(word);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const normal = normalizeName(candidate);
    const distance = normal === wanted ? 0 : editDistance(wanted, normal);
    const close = distance <= tolerance(normal.length) && distance < normal.length;
    if (close && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  if (best !== undefined) return best.name;
  return candidates.find((candidate) => extendsName(wanted, normalizeName(candidate)));
}
