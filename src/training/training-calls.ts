/**
 * Does a file hold the user's own training code? `model.fit(…)`, `model.fitDataset(…)`,
 * `model.trainOnBatch(…)` or `optimizer.minimize(…)` / `optimizer.applyGradients(…)` calls
 * in a file that imports tfjs, found in the TypeScript syntax tree (no evaluation), plus the
 * fit sites the analysis recorded (ModelGraph.fitSites: also calls made in files the analysed
 * file imports). `layer-lens train` runs such a file as the program it is (the user-code
 * path) instead of rebuilding its model for a built-in dataset.
 */
import * as fs from 'node:fs';
import { ts } from 'ts-morph';
import type { FileAnalysis } from '../analysis/graph';

export const TRAINING_METHODS = ['fit', 'fitDataset', 'trainOnBatch', 'minimize', 'applyGradients'] as const;
export type TrainingMethod = (typeof TRAINING_METHODS)[number];

export interface TrainingCall {
  method: TrainingMethod;
  /** 1-based. */
  line: number;
  column: number;
  /** The call's text, shortened. */
  text: string;
}

const TFJS_IMPORT = /(?:from\s*|require\s*\(\s*|import\s*\(\s*)['"]@tensorflow\/tfjs(?:-node(?:-gpu)?|-core|-layers)?['"]/;

export function importsTfjs(text: string): boolean {
  return TFJS_IMPORT.test(text);
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.(m|c)?js$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The training calls of a file's text; none when it does not import tfjs. */
export function findTrainingCalls(text: string, fileName = 'file.ts'): TrainingCall[] {
  if (!importsTfjs(text)) return [];
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const out: TrainingCall[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isElementAccessExpression(callee) && ts.isStringLiteral(callee.argumentExpression)
          ? callee.argumentExpression.text
          : undefined;
      if (name && (TRAINING_METHODS as readonly string[]).includes(name)) {
        const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        const t = node.getText(sf).replace(/\s+/g, ' ');
        out.push({
          method: name as TrainingMethod,
          line: pos.line + 1,
          column: pos.character + 1,
          text: t.length > 80 ? `${t.slice(0, 77)}…` : t,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export interface TrainingCode {
  /** Calls found in the file's own text. */
  calls: TrainingCall[];
  /** fit/fitDataset/trainOnBatch sites the analysis recorded (any file it evaluated). */
  fitSites: { file: string; line: number }[];
}

/** What training code a file runs, from its text and (when given) its analysis. */
export function trainingCodeOf(file: string, analysis?: FileAnalysis, text?: string): TrainingCode {
  let source = text;
  if (source === undefined) {
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch {
      source = '';
    }
  }
  const seen = new Set<string>();
  const fitSites: TrainingCode['fitSites'] = [];
  for (const m of analysis?.models ?? []) {
    for (const r of m.fitSites) {
      const key = `${r.file}:${r.start.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fitSites.push({ file: r.file, line: r.start.line });
    }
  }
  return { calls: findTrainingCalls(source, file), fitSites };
}

export function hasTrainingCode(code: TrainingCode): boolean {
  return code.calls.length > 0 || code.fitSites.length > 0;
}
