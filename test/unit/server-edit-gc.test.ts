import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { EDITS_PER_GC, EditGc } from '../../src/server/edit-gc';

async function majorGcsDuring(work: () => void): Promise<number> {
  let major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (((e as unknown as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  obs.observe({ entryTypes: ['gc'] });
  work();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return major;
}

test('a full GC runs after EDITS_PER_GC edits, not before', async () => {
  const gc = new EditGc();
  const before = await majorGcsDuring(() => {
    for (let i = 1; i < EDITS_PER_GC; i++) gc.edited();
  });
  assert.equal(before, 0);
  const at = await majorGcsDuring(() => gc.edited());
  assert.ok(at >= 1, `major GCs after edit ${EDITS_PER_GC}: ${at}`);
});
