/**
 * What the engine found at a place in a file: the model or layer(s) whose source range
 * holds an offset, each layer once, and where a layer's inlay hint belongs. Pure: plain
 * engine data in, plain data out.
 */
import * as path from 'node:path';
import type { FileAnalysis, LayerNode, ModelGraph, SourceRange } from '../../analysis/graph';

export interface LayerEntry {
  layer: LayerNode;
  /** The first model (in file order) that lists this layer. */
  model: ModelGraph;
}

export type Target =
  | { kind: 'model'; model: ModelGraph; range: SourceRange | OffsetRange; variants?: ModelGraph[] }
  /** One layer, or several created by the same call (a loop, a helper called more than once). */
  | { kind: 'layers'; entries: LayerEntry[]; range: SourceRange; via: 'factory' | 'apply' };

export interface OffsetRange {
  startOffset: number;
  endOffset: number;
}

export function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => {
    const n = path.resolve(p);
    return process.platform === 'win32' ? n.toLowerCase() : n;
  };
  return a === b || norm(a) === norm(b);
}

export function inFile(r: SourceRange | undefined, file: string): boolean {
  return r !== undefined && samePath(r.file, file);
}

/**
 * Every layer of every model of the file, once (a layer can be listed by several models),
 * leaving out layers that are models themselves (their creation call has its own entry)
 * unless `nestedModels` is set.
 */
export function layersOf(analysis: FileAnalysis, opts: { nestedModels?: boolean } = {}): LayerEntry[] {
  const seen = new Set<string>();
  const out: LayerEntry[] = [];
  for (const model of analysis.models) {
    for (const layer of model.layers) {
      if (seen.has(layer.id) || (layer.nestedModelId !== undefined && !opts.nestedModels)) continue;
      seen.add(layer.id);
      out.push({ layer, model });
    }
  }
  return out;
}

/** Models of the file created by the same call as `model` (variants of one builder), `model` included. */
export function variantsOf(analysis: FileAnalysis, model: ModelGraph): ModelGraph[] {
  return analysis.models.filter((m) => sameRange(m.range, model.range) && m.range.file === model.range.file);
}

/** `name: ` when other models share the creation call of `model`, so their lenses and hints can be told apart. */
export function variantPrefix(analysis: FileAnalysis, model: ModelGraph): string {
  return variantsOf(analysis, model).length > 1 ? `${model.name}: ` : '';
}

/** A layer's call ranges in `file`, leaving out a Sequential's `layers: [...]` config (its range is the model's). */
export function applyRangesIn(layer: LayerNode, analysis: FileAnalysis): SourceRange[] {
  return layer.applyRanges.filter((r) => inFile(r, analysis.file) && !analysis.models.some((m) => sameRange(m.range, r)));
}

export function sameRange(a: OffsetRange, b: OffsetRange): boolean {
  return a.startOffset === b.startOffset && a.endOffset === b.endOffset;
}

function contains(r: OffsetRange, offset: number): boolean {
  return r.startOffset <= offset && offset < r.endOffset;
}

function within(inner: OffsetRange, outer: OffsetRange): boolean {
  return outer.startOffset <= inner.startOffset && inner.endOffset <= outer.endOffset;
}

/**
 * Where a layer's result is shown in the file: the line of its factory call, or, when the
 * layer was created elsewhere (a helper) and is applied here, of its first call in this file.
 * Undefined when neither is in this file.
 */
export function anchorOf(layer: LayerNode, analysis: FileAnalysis): SourceRange | undefined {
  const factory = layer.range && inFile(layer.range, analysis.file) ? layer.range : undefined;
  const apply = applyRangesIn(layer, analysis)[0];
  if (factory && apply && !within(factory, apply)) return apply;
  return factory ?? apply;
}

/** The model with this name the offset most likely refers to (the one used there, or created last before it). */
export function modelNamed(analysis: FileAnalysis, name: string, offset: number): ModelGraph | undefined {
  const named = analysis.models.filter((m) => m.name === name && inFile(m.range, analysis.file));
  if (named.length <= 1) return named[0];
  const using = named.find((m) => usageRanges(m).some((r) => inFile(r, analysis.file) && contains(r, offset)));
  if (using) return using;
  const before = named.filter((m) => m.range.startOffset <= offset).sort((a, b) => b.range.startOffset - a.range.startOffset);
  return before[0] ?? named[0];
}

function usageRanges(m: ModelGraph): SourceRange[] {
  const out = [m.range, ...m.fitSites, ...m.layers.flatMap((l) => l.applyRanges)];
  if (m.compile?.range) out.push(m.compile.range);
  return out;
}

/** The identifier (`[A-Za-z_$][\w$]*`) around `offset` in `text`, with its offsets. */
export function identifierAt(text: string, offset: number): { name: string; startOffset: number; endOffset: number } | undefined {
  const isPart = (c: string | undefined): boolean => c !== undefined && /[\w$]/.test(c);
  if (!isPart(text[offset])) return undefined;
  let start = offset;
  let end = offset;
  while (start > 0 && isPart(text[start - 1])) start--;
  while (end < text.length && isPart(text[end])) end++;
  const name = text.slice(start, end);
  if (!/^[A-Za-z_$]/.test(name)) return undefined;
  return { name, startOffset: start, endOffset: end };
}

/**
 * What is under `offset`: a model (its creation call, or an identifier naming it), the
 * layer(s) created by the innermost factory call there, or the layer of the innermost
 * `.apply(…)` / `model.add(…)` call. `text` is the analysed text of the file.
 */
export function targetAt(analysis: FileAnalysis, text: string, offset: number): Target | undefined {
  type Candidate = { range: SourceRange; rank: number; model?: ModelGraph; entry?: LayerEntry; via?: 'factory' | 'apply' };
  const candidates: Candidate[] = [];
  for (const model of analysis.models) {
    if (inFile(model.range, analysis.file) && contains(model.range, offset)) candidates.push({ range: model.range, rank: 0, model });
  }
  for (const entry of layersOf(analysis, { nestedModels: true })) {
    const { layer } = entry;
    if (layer.range && inFile(layer.range, analysis.file) && contains(layer.range, offset))
      candidates.push({ range: layer.range, rank: 1, entry, via: 'factory' });
    for (const r of applyRangesIn(layer, analysis)) {
      if (contains(r, offset)) candidates.push({ range: r, rank: 2, entry, via: 'apply' });
    }
  }
  // Innermost first; for the same range a model before a factory call before an apply call.
  candidates.sort((a, b) => span(a.range) - span(b.range) || a.rank - b.rank);
  const best = candidates[0];

  // `model` in `model.add(…)`, `model.compile(…)`, `const model = …`: the model, unless the
  // identifier sits inside a layer's own factory call (e.g. a config value).
  const id = identifierAt(text, offset);
  if (id && !(best?.via === 'factory')) {
    const model = modelNamed(analysis, id.name, offset);
    if (model) return { kind: 'model', model, range: { startOffset: id.startOffset, endOffset: id.endOffset } };
  }

  if (!best) return undefined;
  if (best.model) return { kind: 'model', model: best.model, range: best.range, variants: variantsOf(analysis, best.model) };
  const same: LayerEntry[] = [];
  for (const c of candidates) {
    if (c.entry && c.rank === best.rank && sameRange(c.range, best.range) && !same.some((e) => e.layer.id === c.entry!.layer.id))
      same.push(c.entry);
  }
  return { kind: 'layers', entries: same, range: best.range, via: best.via! };
}

function span(r: OffsetRange): number {
  return r.endOffset - r.startOffset;
}
