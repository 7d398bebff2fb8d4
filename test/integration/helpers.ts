/**
 * Shared by the integration tests (test/integration/suite/*.test.ts), which run inside a real
 * VS Code extension host: @vscode/test-electron's desktop VS Code, or code-server's remote
 * extension host (test/e2e). Only the `vscode` API; nothing here knows which one it is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'layer-lens.layer-lens';

/** The samples/ workspace: the open folder when it is samples/, else the repository's. */
export function samplesDir(): string {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme === 'file' && fs.existsSync(path.join(folder.uri.fsPath, 'lenet.ts'))) return folder.uri.fsPath;
  }
  // out/test/integration/suite/*.js → the repository root is four levels up.
  return path.resolve(__dirname, '..', '..', '..', '..', 'samples');
}

export function sampleUri(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(samplesDir(), name));
}

export async function openSample(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(sampleUri(name));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/**
 * Polls `fn` until it returns something truthy (the language server starts lazily and
 * analyses after a debounce); throws with the last value seen after `timeoutMs`.
 */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail?.slice(0, 500)})`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A hover's text, every provider's contents joined. */
export function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))
    .join('\n');
}

export function inlayLabel(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join('');
}

/** The 0-based position of the first `needle` on a line containing `lineNeedle`. */
export function positionOf(doc: vscode.TextDocument, lineNeedle: string, needle = lineNeedle, delta = 0): vscode.Position {
  for (let line = 0; line < doc.lineCount; line++) {
    const text = doc.lineAt(line).text;
    if (!text.includes(lineNeedle)) continue;
    const at = text.indexOf(needle);
    if (at >= 0) return new vscode.Position(line, at + delta);
  }
  throw new Error(`"${lineNeedle}" / "${needle}" not found in ${doc.uri.fsPath}`);
}
