/**
 * A full garbage collection every so many document edits. V8 lets the heap grow between
 * collections: under a long run of edits the server's heap-used rose ~10 KiB per edit and RSS
 * followed, although a forced GC brought heap-used back to its warm level (nothing retained).
 * Collecting on a fixed edit count keeps the heap, and so RSS, at that level.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export const EDITS_PER_GC = 500;

let collect: (() => void) | undefined;
function gcFunction(): () => void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

export class EditGc {
  private edits = 0;
  private scheduled = false;

  /** Counts an edit; every EDITS_PER_GC edits, a full GC once the current work is done. */
  edited(): void {
    if (++this.edits % EDITS_PER_GC !== 0 || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      gcFunction()();
    });
  }
}
