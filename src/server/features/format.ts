/** Number and shape formatting shared by hovers, inlay hints, CodeLens and summaries. */
import type { Count, OutputShape, Shape } from '../../analysis/graph';

/** `[null,28,28,32]`; without the batch dimension `[28,28,32]`; several outputs joined by `, `. */
export function formatShape(s: OutputShape | null | undefined, showBatchDim = true): string {
  if (s === null || s === undefined) return 'unknown';
  if (isShapeList(s)) return s.map((x) => formatShape(x, showBatchDim)).join(', ');
  const dims = !showBatchDim && s.length > 0 && s[0] === null ? s.slice(1) : s;
  return `[${dims.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

export function isShapeList(s: OutputShape): s is Shape[] {
  return s.length > 0 && Array.isArray(s[0]);
}

/** `1,199,882`, or `unknown`. */
export function formatCount(n: Count | undefined): string {
  return n === null || n === undefined ? 'unknown' : n.toLocaleString('en-US');
}

/** `4.6 MB`, the same units as the summary table (1024-based). */
export function formatBytes(n: Count | undefined): string {
  if (n === null || n === undefined) return 'unknown';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** `950`, `416.5 K`, `12.3 M`, `15.5 G` (1000-based, for operation counts). */
export function formatCompact(n: Count | undefined): string {
  if (n === null || n === undefined) return 'unknown';
  const abs = Math.abs(n);
  if (abs < 1000) return String(n);
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) if (abs >= size) return `${(n / size).toFixed(1)} ${unit}`;
  return String(n);
}

/** Sum of counts; null as soon as one is unknown. */
export function sumCounts(counts: Count[]): Count {
  let total = 0;
  for (const c of counts) {
    if (c === null) return null;
    total += c;
  }
  return total;
}

/** `1 error`, `2 warnings`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
