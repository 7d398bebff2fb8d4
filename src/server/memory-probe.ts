/**
 * Memory figures on request, for the soak benchmark: only when the server runs with
 * LAYER_LENS_MEMORY_PROBE=1 (never in the shipped client's environment). With `gc: true` and
 * node's --expose-gc, a full collection first; with `snapshot`, a heap snapshot written there
 * (compare two of them by constructor in DevTools' Comparison view).
 */
import * as v8 from 'node:v8';
import type { Connection } from 'vscode-languageserver/node';

export const MEMORY_REQUEST = 'layerLens/debugMemory';

export interface MemoryParams {
  gc?: boolean;
  snapshot?: string;
}
export interface MemoryResult {
  rss: number;
  heapUsed: number;
  gcRan: boolean;
  snapshot?: string;
}

export function installMemoryProbe(connection: Connection): void {
  if (process.env.LAYER_LENS_MEMORY_PROBE !== '1') return;
  connection.onRequest(MEMORY_REQUEST, (params: MemoryParams = {}): MemoryResult => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (params.gc && gc) gc();
    const snapshot = params.snapshot ? v8.writeHeapSnapshot(params.snapshot) : undefined;
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, gcRan: Boolean(params.gc && gc), snapshot };
  });
}
