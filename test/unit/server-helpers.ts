/** Shared by the test/unit/server-*.test.ts files: real engine output for small sources. */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createConnection, createProtocolConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../../src/analysis/graph';
import { Analyzer } from '../../src/analysis/index';
import { startServer } from '../../src/server/server';

/** A folder that does not exist: every file is given as text. */
export const ROOT = path.resolve('/virtual/layer-lens-server-tests');

export interface Analysed {
  analysis: FileAnalysis;
  doc: TextDocument;
  text: string;
  /** Offset of the first occurrence of `needle` (plus `delta`); throws when absent. */
  at(needle: string, delta?: number): number;
}

/**
 * Analyses `files[main]` with the other files importable next to it (all in memory).
 * `main` defaults to the first file.
 */
export function analyse(files: Record<string, string>, main = Object.keys(files)[0]): Analysed {
  const contents = new Map(Object.entries(files).map(([name, text]) => [path.join(ROOT, name), text]));
  const file = path.join(ROOT, main);
  const [analysis] = new Analyzer().analyze([file], { contents });
  const text = files[main];
  const doc = TextDocument.create(pathToFileURL(file).toString(), 'typescript', 1, text);
  return {
    analysis,
    doc,
    text,
    at(needle: string, delta = 0): number {
      const i = text.indexOf(needle);
      if (i < 0) throw new Error(`"${needle}" not in the source`);
      return i + delta;
    },
  };
}

/** The 1-based line of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

export const HEADER = "import * as tf from '@tensorflow/tfjs';\n";

/**
 * The language server started in this process on in-memory streams, and the client end of
 * the connection (not yet listening: register handlers, then `listen()`).
 */
export function serverInMemory(): ProtocolConnection {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  return createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
}
