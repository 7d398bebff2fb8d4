/** Opens a file at a range the server reported (a model's creation call, a layer's factory call). */
import * as vscode from 'vscode';
import type { LocationView } from '../protocol/lsp/models';

export function toRange(r: LocationView['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/**
 * Shows the file with the range selected: in the editor column already showing it, else in
 * `column` (default: the active one). Only `file:` URIs are opened.
 */
export async function revealLocation(loc: LocationView, column?: vscode.ViewColumn): Promise<void> {
  const uri = vscode.Uri.parse(loc.uri, true);
  if (uri.scheme !== 'file') return;
  const range = toRange(loc.range);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const doc = visible?.document ?? (await vscode.workspace.openTextDocument(uri));
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: visible?.viewColumn ?? column ?? vscode.ViewColumn.Active,
    preserveFocus: false,
    preview: true,
    selection: new vscode.Range(range.start, range.start),
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** A LocationView from a command argument (the tree passes its own data; anything else is ignored). */
export function asLocation(v: unknown): LocationView | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { uri, range } = v as Record<string, unknown>;
  if (typeof uri !== 'string' || typeof range !== 'object' || range === null) return undefined;
  const { start, end } = range as Record<string, unknown>;
  const pos = (p: unknown): p is { line: number; character: number } =>
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger((p as { line: unknown }).line) &&
    Number.isInteger((p as { character: unknown }).character);
  return pos(start) && pos(end) ? { uri, range: { start, end } } : undefined;
}
