/**
 * `layerLens/trainTarget`: the analysed ModelGraph of the model to train (the one a lens
 * names, else the one at the cursor), the file's other models, and a hash of the analysed
 * text. server.ts registers it; the training itself runs in a worker the extension host starts.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { type CancellationToken, type Connection, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { type AnalysisService, fileOfUri } from './analysis-service';
import { inFile } from './features/locate';
import { modelAt } from './features/models';
import { selectModel } from './features/summary';
import { learningRateEdit } from '../training/lr-edit';
import { trainingCodeOf } from '../training/training-calls';
import {
  LR_EDIT_REQUEST,
  type LrEditParams,
  type LrEditResponse,
  TRAIN_TARGET_REQUEST,
  TRAINING_CODE_REQUEST,
  type TrainingCodeParams,
  type TrainingCodeResult,
  type TrainTargetParams,
  type TrainTargetResult,
} from '../protocol/lsp/train';

/** 0-based line/character of an offset into `text` (LSP positions, UTF-16 code units). */
function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** `layerLens/lrEdit` on a text: learningRateEdit's edits as LSP ranges. */
export function lrEditFor(text: string, params: Pick<LrEditParams, 'lr' | 'compileOffset'>, fileName?: string): LrEditResponse {
  if (typeof params?.lr !== 'number' || !(params.lr > 0) || !Number.isFinite(params.lr))
    return { ok: false, reason: `not a learning rate: ${String(params?.lr)}` };
  const r = learningRateEdit(text, params.lr, {
    ...(fileName ? { fileName } : {}),
    ...(typeof params.compileOffset === 'number' ? { compileOffset: params.compileOffset } : {}),
  });
  if (!r.ok) return r;
  return {
    ok: true,
    description: r.description,
    lrText: r.lrText,
    edits: r.edits.map((e) => ({ range: { start: positionOf(text, e.start), end: positionOf(text, e.end) }, newText: e.newText })),
  };
}

export function registerTrainRequests(connection: Connection, opts: { service: AnalysisService; log: (message: string) => void }): void {
  const { service, log } = opts;
  connection.onRequest(LR_EDIT_REQUEST, async (params: LrEditParams): Promise<LrEditResponse> => {
    const file = typeof params?.uri === 'string' ? fileOfUri(params.uri) : undefined;
    if (!file) return { ok: false, reason: 'only files on disk can be edited' };
    try {
      const open = service.openDocuments().find((d) => d.uri === params.uri);
      const text = open ? open.getText() : fs.readFileSync(file, 'utf8');
      return lrEditFor(text, params, file);
    } catch (err) {
      log(`lrEdit failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  });
  connection.onRequest(TRAINING_CODE_REQUEST, async (params: TrainingCodeParams, token: CancellationToken): Promise<TrainingCodeResult> => {
    const file = typeof params?.uri === 'string' ? fileOfUri(params.uri) : undefined;
    if (!file || !/\.(m|c)?[jt]sx?$/i.test(file)) return { calls: [], fitSites: [] };
    try {
      const open = service.openDocuments().find((d) => d.uri === params.uri);
      if (open) {
        const entry = await service.current(params.uri, token);
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
        return trainingCodeOf(file, entry?.analysis, open.getText());
      }
      if (!fs.existsSync(file)) return { calls: [], fitSites: [] };
      return trainingCodeOf(file, service.analyseFile(file), fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      log(`trainingCode failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { calls: [], fitSites: [] };
    }
  });
  connection.onRequest(TRAIN_TARGET_REQUEST, async (params: TrainTargetParams, token: CancellationToken): Promise<TrainTargetResult> => {
    await new Promise((r) => setImmediate(r));
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
    const file = typeof params?.uri === 'string' ? fileOfUri(params.uri) : undefined;
    if (!file) return { ok: false, message: 'only files on disk can be trained' };
    try {
      const open = service.openDocuments().find((d) => d.uri === params.uri);
      let analysis;
      let text: string;
      let offsetAt: ((p: { line: number; character: number }) => number) | undefined;
      if (open) {
        const entry = await service.current(params.uri, token);
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
        if (!entry) return { ok: false, message: 'the file could not be analysed' };
        analysis = entry.analysis;
        text = entry.document.getText();
        offsetAt = (p) => entry.document.offsetAt(p);
      } else {
        analysis = service.analyseFile(file);
        text = fs.readFileSync(file, 'utf8');
      }
      const own = analysis.models.filter((m) => inFile(m.range, analysis.file));
      if (own.length === 0) return { ok: false, message: 'no TensorFlow.js model is built in this file' };
      let model = params.model ? selectModel(analysis, params.model) : undefined;
      let atCursor = model !== undefined;
      if (!model && params.position && offsetAt) {
        const at = modelAt(analysis, text, offsetAt(params.position));
        if (at) {
          model = at.model;
          atCursor = at.atCursor;
        }
      }
      model ??= own[0];
      const candidates =
        !atCursor && own.length > 1
          ? own.map((m) => ({ name: m.name, line: m.range.start.line, selector: { name: m.name, offset: m.range.startOffset } }))
          : [];
      return {
        ok: true,
        file,
        codeHash: createHash('sha256').update(text).digest('hex'),
        model,
        otherModels: analysis.models.filter((m) => m !== model),
        atCursor,
        candidates,
      };
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      log(`trainTarget failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { ok: false, message: `the analysis failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  });
}
