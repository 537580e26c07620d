/** How numbers from the server read in the UI. Null means "not measured": it
 * is said in words, never shown as a number. */

export function formatSpeedup(x: number | null): string | undefined {
  if (x === null || !Number.isFinite(x)) return undefined;
  const fixed = x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return `${fixed.replace(/\.?0+$/, '')}×`;
}

export function formatPercent(p: number | null): string | undefined {
  if (p === null || !Number.isFinite(p)) return undefined;
  return `${Math.round(p)}%`;
}

export function formatSeconds(s: number | null): string | undefined {
  if (s === null || !Number.isFinite(s) || s < 0) return undefined;
  const total = Math.round(s);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  const rest = total % 60;
  return `${m}m ${String(rest).padStart(2, '0')}s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Last path segment of a URI, decoded, for titles. */
export function uriBasename(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Two spellings of one URI (`%3A` vs `:`, case of a drive letter) compare equal. */
export function sameUri(a: string, b: string): boolean {
  const norm = (u: string) => {
    let d = u;
    try {
      d = decodeURIComponent(u);
    } catch {
      /* keep as is */
    }
    return d.replace(/^file:\/\/\/([A-Za-z]):/, (_m, drive: string) => `file:///${drive.toLowerCase()}:`);
  };
  return norm(a) === norm(b);
}
