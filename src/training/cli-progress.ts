/** Progress lines and Ctrl+C handling shared by `layer-lens train` (built-in trainer and the user's own program). */
import type { WorkerMessage } from '../protocol/worker';

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}

export function metricsText(m: Record<string, number | null>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' ');
}

type Of<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

export function epochLine(m: Of<'epoch'>): string {
  return `epoch ${m.epoch}: loss ${fmt(m.loss)} ${metricsText(m.metrics)}${m.valLoss !== undefined ? ` · val_loss ${fmt(m.valLoss)} ${metricsText(m.valMetrics ?? {})}` : ''}`;
}

/** Prints new or more severe findings as they appear (all of them are in the final line). */
export function healthPrinter(progress: (line: string) => void): (m: Of<'health'>) => void {
  const shown = new Set<string>();
  return (m) => {
    for (const f of m.findings.filter((x) => m.changed.includes(x.id) && !shown.has(`${x.id}|${x.severity}`))) {
      shown.add(`${f.id}|${f.severity}`);
      progress(
        `health: ${f.severity} ${f.code} at step ${f.step}${f.layers.length ? ` (${f.layers.slice(0, 3).join(', ')}${f.layers.length > 3 ? ', …' : ''})` : ''}${f.line ? `, line ${f.line}` : ''}: ${f.message}${f.fixes[0] ? `\n  fix: ${f.fixes[0].title}` : ''}`,
      );
    }
  };
}

/**
 * Waits for a run's result while Ctrl+C stops it (the history is kept) and a second Ctrl+C
 * kills it; `say` tells the user which.
 */
export async function resultWithCtrlC<T>(
  run: { stop(): unknown; kill(): unknown },
  result: Promise<T>,
  say: (line: string) => void,
): Promise<T> {
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      say('stopping… (Ctrl+C again to kill)');
      void run.stop();
    } else run.kill();
  };
  process.on('SIGINT', onSigint);
  try {
    return await result;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
