/**
 * The messages between the summary webview (src/webview/summary) and the extension
 * (src/client/summary-panel.ts), as validator schemas: each side validates what it
 * receives before using it (`parseToWebview`, `parseFromWebview`). The webview names
 * things by id (a model, a layer, a problem); the extension looks the place up in the data
 * it sent, so a message can never make it open an arbitrary file.
 */
import type { DiagnosticView, FileModelsResult, InputView, LayerView, LocationView, ModelView } from '../lsp/models';
import {
  type Infer,
  type Validator,
  array,
  boolean,
  check,
  literal,
  nullable,
  number,
  object,
  optional,
  string,
  tagged,
} from '../validate';

const id = string({ max: 512 });
/** The page's language (the display language; English when absent). */
const pageLocale = literal('en', 'zh-cn');
const text = string({ max: 20_000 });
const count = nullable(number({ min: 0 }));
const position = object({ line: number({ integer: true, min: 0 }), character: number({ integer: true, min: 0 }) });
const location = object({ uri: string({ max: 4096, pattern: /^file:/ }), range: object({ start: position, end: position }) });

const layer = object({
  id,
  name: text,
  className: text,
  outputShape: text,
  inputShapes: array(text, { max: 1000 }),
  params: count,
  trainableParams: count,
  nonTrainableParams: count,
  macs: count,
  trainable: boolean,
  paramFormula: optional(text),
  location: optional(location),
  where: text,
  inbound: array(id, { max: 1000 }),
  nested: boolean,
});

const input = object({ id, name: text, shape: text });

const diagnostic = object({
  severity: literal('error', 'warning', 'info'),
  code: text,
  message: text,
  formula: optional(text),
  location: optional(location),
  where: text,
});

const model = object({
  id,
  name: text,
  kind: literal('sequential', 'functional'),
  location,
  line: number({ integer: true, min: 0 }),
  selector: object({ name: text, offset: number({ integer: true, min: 0 }) }),
  variant: text,
  inputShapes: array(text, { max: 1000 }),
  outputShapes: array(text, { max: 1000 }),
  totals: object({
    params: count,
    trainable: count,
    nonTrainable: count,
    macs: count,
    paramBytes: count,
    activationsPerSample: count,
    activationBytes: count,
    batchSize: number({ integer: true, min: 1 }),
  }),
  optimizer: optional(text),
  loss: optional(text),
  inputs: array(input, { max: 1000 }),
  layers: array(layer, { max: 20_000 }),
  diagnostics: array(diagnostic, { max: 10_000 }),
});

const fileModels = object({
  uri: string({ max: 4096, pattern: /^file:/ }),
  path: text,
  folder: optional(text),
  models: array(model, { max: 1000 }),
  selectedId: optional(id),
  diagnostics: array(diagnostic, { max: 10_000 }),
});

/** What the extension sends the webview. */
export const toWebview = tagged('type', {
  /** The models of a file; `selectedId` is the model to show (the first one when absent). */
  show: object({ type: literal('show'), data: fileModels, selectedId: optional(id), locale: optional(pageLocale) }),
  /** The file could not be analysed (or has no model any more). */
  empty: object({ type: literal('empty'), message: text, locale: optional(pageLocale) }),
});

/** What the webview sends the extension. */
export const fromWebview = tagged('type', {
  /** The page has loaded and listens: send the data. */
  ready: object({ type: literal('ready') }),
  /** Reveal the source of a model (its creation call), of one of its layers, or of one of its problems. */
  reveal: object({ type: literal('reveal'), modelId: id, layerId: optional(id), diagnostic: optional(number({ integer: true, min: 0 })) }),
  /** Copy the `model.summary()`-style text of a model to the clipboard. */
  copyText: object({ type: literal('copyText'), modelId: id }),
  /** Open the text summary of a model in a read-only editor. */
  openText: object({ type: literal('openText'), modelId: id }),
});

export type ToWebview = Infer<typeof toWebview>;
export type FromWebview = Infer<typeof fromWebview>;

export function parseToWebview(value: unknown): { ok: true; value: ToWebview } | { ok: false; error: string } {
  return check(toWebview, value);
}

export function parseFromWebview(value: unknown): { ok: true; value: FromWebview } | { ok: false; error: string } {
  return check(fromWebview, value);
}

// The schemas and the protocol's interfaces describe the same data: each must accept what
// the other declares (a compile-time check; a mismatch fails `tsc`).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameLocation: Same<Infer<typeof location>, LocationView> = true;
const sameLayer: Same<Infer<typeof layer>, LayerView> = true;
const sameInput: Same<Infer<typeof input>, InputView> = true;
const sameDiagnostic: Same<Infer<typeof diagnostic>, DiagnosticView> = true;
const sameModel: Same<Infer<typeof model>, ModelView> = true;
const sameFile: Same<Infer<typeof fileModels>, FileModelsResult> = true;
void [sameLocation, sameLayer, sameInput, sameDiagnostic, sameModel, sameFile];

export const schemas: { model: Validator<ModelView>; fileModels: Validator<FileModelsResult> } = { model, fileModels };
