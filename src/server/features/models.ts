/**
 * Engine results as the JSON the client renders (src/protocol/lsp/models.ts): the Models
 * view, the status bar item and the summary panel. Pure: plain engine data in, plain data out.
 */
import * as path from 'node:path';
import type { Diagnostic, FileAnalysis, LayerNode, ModelGraph, SourceRange } from '../../analysis/graph';
import type { DiagnosticView, InputView, LayerView, LocationView, ModelView, RangeView } from '../../protocol/lsp/models';
import { formatShape } from './format';
import { anchorOf, inFile, samePath, targetAt, variantPrefix } from './locate';

/** How a file is named in URIs (the editor's URI for open documents). */
export type UriOf = (file: string) => string;

export interface ModelViewOptions {
  /** Only the models created in the analysed file (the Models view); all models by default. */
  ownOnly?: boolean;
}

/** The models of one file's analysis, in the engine's order. */
export function modelViews(analysis: FileAnalysis, uriOf: UriOf, opts: ModelViewOptions = {}): ModelView[] {
  const models = opts.ownOnly ? analysis.models.filter((m) => inFile(m.range, analysis.file)) : analysis.models;
  return models.map((m) => modelView(m, analysis, uriOf));
}

export function modelView(model: ModelGraph, analysis: FileAnalysis, uriOf: UriOf): ModelView {
  const ids = new Set(model.layers.map((l) => l.id));
  const inputs: InputView[] = [];
  const inputFor = (key: string, shape: string): string => {
    const id = `${model.id}/input:${key}`;
    if (!inputs.some((i) => i.id === id)) inputs.push({ id, name: 'input', shape });
    return id;
  };
  const owners = nestedOwners(model, analysis);
  const layers: LayerView[] = model.layers.map((layer, index) => {
    let inbound: string[];
    if (model.kind === 'sequential') {
      // A Sequential is a chain; its implicit InputLayer is not in `layers`.
      inbound =
        index === 0 ? [inputFor('0', model.inputShapes[0] ? formatShape(model.inputShapes[0]) : 'unknown')] : [model.layers[index - 1].id];
    } else {
      inbound = [];
      layer.inbound.forEach((id, i) => {
        const resolved = ids.has(id)
          ? id
          : (owners.get(id) ?? inputFor(id, layer.inputShapes[i] ? formatShape(layer.inputShapes[i]) : 'unknown'));
        if (resolved !== layer.id && !inbound.includes(resolved)) inbound.push(resolved);
      });
    }
    return layerView(layer, analysis, uriOf, inbound);
  });
  const t = model.totals;
  const loss = model.compile?.loss;
  const view: ModelView = {
    id: model.id,
    name: model.name,
    kind: model.kind,
    location: locationOf(model.range, uriOf),
    line: model.range.start.line,
    selector: { name: model.name, offset: model.range.startOffset },
    variant: variantPrefix(analysis, model),
    inputShapes: model.inputShapes.map((s) => formatShape(s)),
    outputShapes: model.outputShapes.map((s) => formatShape(s)),
    totals: {
      params: t.total,
      trainable: t.trainable,
      nonTrainable: t.nonTrainable,
      macs: t.macs,
      paramBytes: t.paramBytes,
      activationsPerSample: t.activationsPerSample,
      activationBytes: t.activationBytes,
      batchSize: t.batchSize,
    },
    inputs,
    layers,
    diagnostics: model.diagnostics.map((d) => diagnosticView(d, analysis, uriOf)),
  };
  if (model.compile?.optimizer) view.optimizer = model.compile.optimizer;
  if (loss !== undefined) view.loss = Array.isArray(loss) ? loss.join(', ') : loss;
  return view;
}

function layerView(layer: LayerNode, analysis: FileAnalysis, uriOf: UriOf, inbound: string[]): LayerView {
  const at = anchorOf(layer, analysis) ?? layer.range ?? layer.applyRanges[0];
  const view: LayerView = {
    id: layer.id,
    name: layer.name,
    className: layer.className,
    outputShape: formatShape(layer.outputShape),
    inputShapes: layer.inputShapes.map((s) => formatShape(s)),
    params: layer.params.total,
    trainableParams: layer.params.trainable,
    nonTrainableParams: layer.params.nonTrainable,
    macs: layer.macs,
    trainable: layer.trainable,
    where: whereOf(at, analysis.file),
    inbound,
    nested: layer.nestedModelId !== undefined,
  };
  if (layer.paramFormula) view.paramFormula = layer.paramFormula;
  if (at) view.location = locationOf(at, uriOf);
  return view;
}

/**
 * For a functional model that applies other models: every layer id inside a nested model
 * (at any depth) → the id of the nested model's layer in `model`, so an edge from an inner
 * layer becomes an edge from the nested model's node.
 */
function nestedOwners(model: ModelGraph, analysis: FileAnalysis): Map<string, string> {
  const byId = new Map(analysis.models.map((m) => [m.id, m]));
  const owners = new Map<string, string>();
  for (const layer of model.layers) {
    if (layer.nestedModelId === undefined) continue;
    const stack = [layer.nestedModelId];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const inner = byId.get(stack.pop()!);
      if (!inner || seen.has(inner.id)) continue;
      seen.add(inner.id);
      for (const l of inner.layers) {
        if (!owners.has(l.id)) owners.set(l.id, layer.id);
        if (l.nestedModelId !== undefined) stack.push(l.nestedModelId);
      }
    }
  }
  return owners;
}

export function diagnosticView(d: Diagnostic, analysis: FileAnalysis, uriOf: UriOf): DiagnosticView {
  const view: DiagnosticView = { severity: d.severity, code: d.code, message: d.message, where: whereOf(d.range, analysis.file) };
  if (d.formula) view.formula = d.formula;
  if (d.range) view.location = locationOf(d.range, uriOf);
  return view;
}

export function rangeView(r: SourceRange): RangeView {
  return {
    start: { line: Math.max(0, r.start.line - 1), character: Math.max(0, r.start.column - 1) },
    end: { line: Math.max(0, r.end.line - 1), character: Math.max(0, r.end.column - 1) },
  };
}

function locationOf(r: SourceRange, uriOf: UriOf): LocationView {
  return { uri: uriOf(r.file), range: rangeView(r) };
}

function whereOf(r: SourceRange | undefined, file: string): string {
  if (!r) return '';
  return samePath(r.file, file) ? String(r.start.line) : `${path.basename(r.file)}:${r.start.line}`;
}

/**
 * The model the cursor is in: the model or layer under `offset` (targetAt), else the model of
 * this file whose code (its creation call to its last layer, compile or fit call in this file)
 * holds `offset`, innermost first; else the file's first model, with `atCursor` false.
 */
export function modelAt(analysis: FileAnalysis, text: string, offset: number): { model: ModelGraph; atCursor: boolean } | undefined {
  const own = analysis.models.filter((m) => inFile(m.range, analysis.file));
  const target = safeTarget(analysis, text, offset);
  if (target?.kind === 'model') return { model: target.model, atCursor: true };
  if (target?.kind === 'layers' && target.entries.length > 0) {
    // The layer's first model in file order; prefer one created in this file.
    const entry = target.entries[0];
    const holder = own.find((m) => m.layers.some((l) => l.id === entry.layer.id)) ?? entry.model;
    return { model: holder, atCursor: true };
  }
  let best: { model: ModelGraph; span: number } | undefined;
  for (const m of own) {
    const [start, end] = extentOf(m, analysis.file);
    if (start <= offset && offset <= end && (!best || end - start < best.span)) best = { model: m, span: end - start };
  }
  if (best) return { model: best.model, atCursor: true };
  return own.length > 0 ? { model: own[0], atCursor: false } : undefined;
}

function safeTarget(analysis: FileAnalysis, text: string, offset: number): ReturnType<typeof targetAt> {
  try {
    return targetAt(analysis, text, offset);
  } catch {
    return undefined;
  }
}

/**
 * Offsets from the first to the last piece of the model's code in `file`: its creation call,
 * its layers' factory and apply calls (a functional model's come before `tf.model`), compile, fit.
 */
function extentOf(m: ModelGraph, file: string): [number, number] {
  const ranges: SourceRange[] = [m.range, ...m.fitSites, ...m.layers.flatMap((l) => [...(l.range ? [l.range] : []), ...l.applyRanges])];
  if (m.compile?.range) ranges.push(m.compile.range);
  let start = m.range.startOffset;
  let end = m.range.endOffset;
  for (const r of ranges) {
    if (!samePath(r.file, file)) continue;
    start = Math.min(start, r.startOffset);
    end = Math.max(end, r.endOffset);
  }
  return [start, end];
}
