/**
 * Models whose layers depend on a condition not known statically (`switch (rnnType)` with
 * `rnnType` from the page) are built once per side of the condition, never as the union
 * of the sides: no run of the code builds that union. The driver re-runs the analysis
 * with each side decided; this module enumerates the decisions, labels them, and merges
 * the alternatives into the file's result as variants of an honest base model that keeps
 * only what every alternative agrees on.
 */
import { ts } from 'ts-morph';
import type { Diagnostic, FileAnalysis, LayerNode, ModelGraph, ModelTotals } from './graph';
import { rangeOf } from './tfjs/session';

/** At most this many alternatives of one file are built; more is reported, not enumerated. */
export const MAX_ALTERNATIVES = 8;

export type Decisions = ReadonlyMap<ts.Node, number>;

/** One analysis with some conditions decided: its result, and the conditions that still forked a model of the file. */
export interface DecidedRun {
  analysis: FileAnalysis;
  forks: ts.Node[];
  /** A decided side threw: no run of the program builds this alternative. */
  throws: boolean;
  /** Conditions left undecided whose other side throws: the side this alternative takes (labels only). */
  implied?: Decisions;
}

/** How many sides a condition has: an `if` or `?:` two, a `switch` one per clause. */
function sidesOf(node: ts.Node): number {
  return ts.isSwitchStatement(node) ? node.caseBlock.clauses.length : 2;
}

export interface Alternatives {
  built: { decisions: Decisions; run: DecidedRun }[];
  /** False when there were more than MAX_ALTERNATIVES combinations: `built` holds the first ones. */
  complete: boolean;
}

/**
 * Every combination of sides of the conditions that fork a model, up to MAX_ALTERNATIVES.
 * One condition is decided at a time (the first in source order that still forks), so a
 * condition nested in one side (`else if (type === 'cnn')` under `if (type === 'dense')`)
 * is decided only on the side that reaches it: a chain of n else-ifs is n + 1
 * alternatives, not 2ⁿ, and each alternative's label names only conditions its run met.
 */
export function enumerate(firstForks: ts.Node[], run: (d: Decisions) => DecidedRun): Alternatives {
  const expand = (d: Decisions, forks: ts.Node[]): Decisions[] => {
    const f = forks.find((x) => !d.has(x));
    if (!f) return [new Map(d)];
    return Array.from({ length: sidesOf(f) }, (_, side) => new Map(d).set(f, side));
  };
  const frontier = expand(new Map(), firstForks);
  const done: { decisions: Decisions; run: DecidedRun }[] = [];
  while (frontier.length) {
    if (done.length + frontier.length > MAX_ALTERNATIVES) {
      // Enough to say what the first sides share; the base says the rest is not known.
      while (frontier.length && done.length < MAX_ALTERNATIVES) {
        const r = run(frontier[0]);
        const d = frontier.shift()!;
        if (!r.throws) done.push({ decisions: d, run: r });
      }
      return { built: done, complete: false };
    }
    const d = frontier.shift()!;
    const r = run(d);
    const open = r.forks.filter((f) => !d.has(f));
    if (r.throws) continue;
    if (open.length) frontier.push(...expand(d, open));
    else done.push({ decisions: d, run: r });
  }
  return { built: done, complete: true };
}

/** `rnnType = 'GRU'`, `useBatchNorm`, `!useBatchNorm`: what deciding `node` for `side` means, in the code's words. */
export function sideLabel(node: ts.Node, side: number): string {
  const text = (n: ts.Node) => short(n.getText().replace(/\s+/g, ' '));
  if (ts.isSwitchStatement(node)) {
    const clause = node.caseBlock.clauses[side];
    return ts.isCaseClause(clause) ? `${text(node.expression)} = ${text(clause.expression)}` : `${text(node.expression)}: default`;
  }
  const cond = ts.isIfStatement(node) ? node.expression : ts.isConditionalExpression(node) ? node.condition : undefined;
  if (!cond) return `${text(node)} #${side + 1}`;
  if (ts.isBinaryExpression(cond)) {
    const op = cond.operatorToken.kind;
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (eq || ne) return `${text(cond.left)} ${(side === 0) === eq ? '=' : '≠'} ${text(cond.right)}`;
  }
  const simple = ts.isIdentifier(cond) || ts.isPropertyAccessExpression(cond);
  return side === 0 ? text(cond) : simple ? `!${text(cond)}` : `!(${text(cond)})`;
}

/** The label of a set of decisions, in source order; `x ≠ 'a'` dropped where `x = 'b'` says more. */
export function decisionsLabel(d: Decisions): string {
  const parts = [...d.entries()]
    .sort(([a], [b]) => a.getSourceFile().fileName.localeCompare(b.getSourceFile().fileName) || a.getStart() - b.getStart())
    .map(([node, side]) => sideLabel(node, side));
  const equal = new Set(parts.filter((p) => / = /.test(p)).map((p) => p.split(' = ')[0]));
  return parts.filter((p) => !(p.includes(' ≠ ') && equal.has(p.split(' ≠ ')[0]))).join(', ');
}

/**
 * The decisions plus the implied sides of conditions on the same subject: the last
 * `else if (modelType === 'gru') … else throw` is `modelType = 'gru'`, not only
 * `modelType ≠ 'lstm'`. Implied sides on other subjects (a check that throws on bad data) say nothing of the alternative.
 */
function withImplied(d: Decisions, implied: Decisions | undefined): Decisions {
  if (!implied || implied.size === 0) return d;
  const subject = (node: ts.Node, side: number) => sideLabel(node, side).split(/ [=≠] /)[0];
  const subjects = new Set([...d].map(([n, side]) => subject(n, side)));
  const out = new Map(d);
  for (const [n, side] of implied) if (!out.has(n) && subjects.has(subject(n, side))) out.set(n, side);
  return out;
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const layerKey = (l: LayerNode) => JSON.stringify([l.className, l.outputShape, l.params.total, l.params.trainable]);
const modelKey = (m: ModelGraph) => JSON.stringify([m.layers.map(layerKey), m.inputShapes, m.outputShapes]);
const sameSite = (a: ModelGraph, b: ModelGraph) => a.range.file === b.range.file && a.range.startOffset === b.range.startOffset;

/**
 * The file's result with every model a fork changed replaced by its alternatives: the
 * base keeps the layers and totals all alternatives agree on (unknown where they differ)
 * and says why; each distinct alternative follows as a variant named by its condition.
 * With too many alternatives, the base alone, with the reason.
 */
export function mergeAlternatives(base: FileAnalysis, forked: Set<string>, found: Alternatives, forks: ts.Node[]): FileAnalysis {
  const models: ModelGraph[] = [];
  const variants: ModelGraph[] = [];
  for (const m of base.models) {
    if (!forked.has(m.id) || m.variant) {
      models.push(m);
      continue;
    }
    const alts: { label: string; model: ModelGraph }[] = [];
    for (const a of found.built) {
      const alt = a.run.analysis.models.find((x) => !x.variant && x.name === m.name && sameSite(x, m));
      if (!alt || alts.some((y) => modelKey(y.model) === modelKey(alt))) continue;
      alts.push({ label: decisionsLabel(withImplied(a.decisions, a.run.implied)), model: alt });
    }
    if (alts.length === 0) {
      models.push(m);
      continue;
    }
    if (found.complete && alts.length === 1) {
      // Every side builds the same model: it is exact.
      models.push({ ...alts[0].model, name: m.name, ...(m.via ? { via: m.via } : {}) });
      continue;
    }
    const conditions = [...new Set(forks.map((f) => sideLabel(f, 0).split(/ [=≠] |: /)[0]))].join(', ');
    const reason = found.complete
      ? `The layers of ${m.name} depend on ${conditions}, which ${forks.length > 1 ? 'are' : 'is'} not known statically: each of its ${alts.length} alternatives is listed (${alts.map((a) => a.label).join(' | ')}).`
      : `The layers of ${m.name} depend on ${conditions}, which ${forks.length > 1 ? 'are' : 'is'} not known statically, and the conditions have more than ${MAX_ALTERNATIVES} combinations: what its layers are after them is not known.`;
    const at = forks.find((f) => f.getSourceFile().fileName === m.range.file);
    const note: Diagnostic = { severity: 'info', code: found.complete ? 'model-alternatives' : 'too-many-alternatives', message: reason, range: at ? rangeOf(at) : m.range };
    const named = found.complete ? alts.map((a) => ({ ...a, name: `${m.name} [${a.label}]` })) : [];
    models.push({ ...agreed(m, alts.map((a) => a.model), note, found.complete), alternatives: named.map((a) => a.name) });
    const context = m.via ?? where(m);
    for (const a of named) variants.push({ ...a.model, name: a.name, variant: { of: m.name, context, condition: a.label } });
  }
  return { ...base, models: [...models, ...variants] };
}

function where(m: ModelGraph): string {
  return `${m.range.file.split(/[\\/]/).pop()}:${m.range.start.line}`;
}

/** What every alternative agrees on: the layers up to the first that differs, the totals they share. */
function agreed(base: ModelGraph, alts: ModelGraph[], note: Diagnostic, complete: boolean): ModelGraph {
  const first = alts[0];
  const layers: LayerNode[] = [];
  if (first) {
    for (let i = 0; i < first.layers.length; i++) {
      const k = layerKey(first.layers[i]);
      if (!alts.every((a) => a.layers[i] && layerKey(a.layers[i]) === k)) break;
      layers.push(first.layers[i]);
    }
  }
  const same = <T>(get: (m: ModelGraph) => T): T | null => {
    if (!first) return null;
    const v = get(first);
    return alts.every((a) => JSON.stringify(get(a)) === JSON.stringify(v)) ? v : null;
  };
  const t = (k: keyof ModelTotals) => (complete ? same((m) => m.totals[k]) : null);
  const totals: ModelTotals = {
    total: t('total') as ModelTotals['total'],
    trainable: t('trainable') as ModelTotals['trainable'],
    nonTrainable: t('nonTrainable') as ModelTotals['nonTrainable'],
    macs: t('macs') as ModelTotals['macs'],
    paramBytes: t('paramBytes') as ModelTotals['paramBytes'],
    activationsPerSample: t('activationsPerSample') as ModelTotals['activationsPerSample'],
    batchSize: base.totals.batchSize,
    activationBytes: t('activationBytes') as ModelTotals['activationBytes'],
  };
  const { outputs: _outputs, ...rest } = base;
  return {
    ...rest,
    layers,
    inputShapes: same((m) => m.inputShapes) ?? base.inputShapes,
    outputShapes: (complete ? same((m) => m.outputShapes) : null) ?? [],
    totals,
    diagnostics: [...base.diagnostics.filter((d) => d.code !== 'conditional-layers'), note],
  };
}
