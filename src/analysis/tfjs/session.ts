/**
 * State shared by everything the tfjs model creates during one analysis run:
 * tfjs-style automatic names, ids, source ranges and the diagnostics sink.
 */
import type { ts } from 'ts-morph';
import type { Diagnostic, SourceRange } from '../graph';
import type { JournaledHost } from '../interpret/scope';
import type { ModelInstance } from './models';
import type { LayerInstance } from './symbolic';

export interface RecordedDiagnostic extends Diagnostic {
  /** The layer the problem belongs to, so it can be attached to the models holding it. */
  layerId?: string;
  modelId?: string;
}

/**
 * The program a model was built in: `entry`/`program`/`test` are files of the workspace
 * run as programs (they import the analysed file); `self` is the analysed file itself.
 */
export interface RunContext {
  file: string;
  kind: 'entry' | 'program' | 'test' | 'self';
}

export class Session {
  private readonly uids = new Map<string, number>();
  private nextId = 1;
  readonly diagnostics: RecordedDiagnostic[] = [];
  readonly models: ModelInstance[] = [];
  readonly layers: LayerInstance[] = [];
  /** How deep the interpreter is inside undecidable conditions (set by the engine). */
  uncertainty: () => number = () => 0;
  /** The undecidable conditions open now, and the hook to save a model before a branch changes it (set by the engine). */
  openBranches: () => readonly unknown[] = () => [];
  touch: (host: JournaledHost) => void = () => undefined;
  /** The function the running code was entered through (set by the engine); undefined at module level. */
  entryFunction: () => ts.Node | undefined = () => undefined;
  /** The calls the running code was reached through, outermost first (set by the engine). */
  callChain: () => ts.Node[] = () => [];
  /** The program the driver is running now: a file of the workspace that reaches the analysed one (set by the engine). */
  context: () => RunContext | undefined = () => undefined;
  /** The innermost condition not known statically being followed now (set by the engine). */
  openCondition: () => ts.Node | undefined = () => undefined;
  /**
   * Conditions not known statically whose sides left a model with different layers (a
   * `switch (rnnType)` adding a SimpleRNN, a GRU or an LSTM), with the models they changed:
   * the driver builds each side as an alternative rather than report their union.
   */
  readonly forks = new Map<ts.Node, Set<ModelInstance>>();

  noteFork(model: ModelInstance): void {
    const c = this.openCondition();
    if (!c) return;
    const set = this.forks.get(c);
    if (set) set.add(model);
    else this.forks.set(c, new Set([model]));
  }

  /** tfjs's `getUid(prefix)`: a per-prefix counter, as names like `conv2d_Conv2D1` come from. */
  uid(prefix: string): string {
    const n = (this.uids.get(prefix) ?? 0) + 1;
    this.uids.set(prefix, n);
    return `${prefix}${n}`;
  }

  id(kind: string): string {
    return `${kind}#${this.nextId++}`;
  }

  range(node: ts.Node): SourceRange {
    return rangeOf(node);
  }

  report(d: RecordedDiagnostic): void {
    // The same problem found on several evaluation paths is reported once.
    const key = `${d.code}|${d.message}|${d.range?.startOffset}|${d.range?.file}`;
    if (this.diagnostics.some((x) => `${x.code}|${x.message}|${x.range?.startOffset}|${x.range?.file}` === key)) return;
    this.diagnostics.push(d);
  }
}

export function rangeOf(node: ts.Node): SourceRange {
  const sf = node.getSourceFile();
  const startOffset = node.getStart(sf);
  const endOffset = node.getEnd();
  const s = sf.getLineAndCharacterOfPosition(startOffset);
  const e = sf.getLineAndCharacterOfPosition(endOffset);
  return {
    file: sf.fileName,
    start: { line: s.line + 1, column: s.character + 1 },
    end: { line: e.line + 1, column: e.character + 1 },
    startOffset,
    endOffset,
  };
}

/** tfjs's `generic_utils.toSnakeCase`, used for automatic layer names. */
export function toSnakeCase(name: string): string {
  const intermediate = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  const insecure = intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return insecure[0] !== '_' ? insecure : `private${insecure}`;
}
