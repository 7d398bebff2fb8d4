/** A text table like tfjs's `model.summary()`, with a MACs column and source lines. */
import type { Count, ModelGraph, OutputShape } from './graph';

export function formatShape(s: OutputShape | null): string {
  if (s === null) return 'unknown';
  if (s.length > 0 && Array.isArray(s[0])) return (s as (number | null)[][]).map((x) => formatShape(x)).join(', ');
  return `[${(s as (number | null)[]).map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

export function formatCount(n: Count): string {
  return n === null ? 'unknown' : n.toLocaleString('en-US');
}

export function formatBytes(n: Count): string {
  if (n === null) return 'unknown';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** The row that stands for the layers the alternatives do not share. */
function alternativesRow(names: string[], shared: number): string {
  const after = shared ? 'then ' : '';
  return names.length
    ? `… ${after}one of ${names.length} alternatives: ${names.join(', ')}`
    : `… ${after}layers not known (too many alternatives)`;
}

export function formatSummary(model: ModelGraph, displayFile: string = model.range.file): string {
  const rows = model.layers.map((l) => [
    `${l.name} (${l.className})`,
    formatShape(l.outputShape),
    formatCount(l.params.total),
    formatCount(l.macs),
    l.range ? `:${l.range.start.line}` : '',
  ]);
  const header = ['Layer (type)', 'Output shape', 'Param #', 'MACs', 'Line'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const total = widths.reduce((a, b) => a + b, 0);
  const out = [
    `Model: ${model.name} (${model.kind}) — ${displayFile}:${model.range.start.line}`,
    '_'.repeat(total),
    line(header),
    '='.repeat(total),
    ...rows.flatMap((r, i) => (i === 0 ? [line(r)] : ['_'.repeat(total), line(r)])),
    ...(model.alternatives ? [alternativesRow(model.alternatives, rows.length)] : []),
    '='.repeat(total),
    `Total params: ${formatCount(model.totals.total)} (${formatBytes(model.totals.paramBytes)} fp32)`,
    `Trainable params: ${formatCount(model.totals.trainable)}`,
    `Non-trainable params: ${formatCount(model.totals.nonTrainable)}`,
    `MACs per sample: ${formatCount(model.totals.macs)}`,
    `Activations: ${formatCount(model.totals.activationsPerSample)} values per sample (${formatBytes(model.totals.activationBytes)} fp32 at batch ${model.totals.batchSize})`,
    '_'.repeat(total),
  ];
  return out.join('\n');
}
