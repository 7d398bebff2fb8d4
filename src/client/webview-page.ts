/**
 * The HTML every Layer Lens webview starts from: a strict Content-Security-Policy with a fresh
 * nonce (no network; script and stylesheet only from dist/webview, `<name>.js` and
 * `<name>.css`), a placeholder until the script has drawn the page.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml, htmlDocument } from '../shared/html';

export interface WebviewPage {
  /** dist/webview/<name>.js and .css. */
  name: string;
  /** The tab's title and the placeholder (text, escaped here). */
  title: string;
  placeholder: string;
  /** How the main element announces itself: busy until drawn, or a live region. */
  main: 'busy' | 'live';
  /** More CSP directives and `<head>` lines (given the page's CSP source and nonce). */
  extraCsp?: string[];
  extraHead?: string[];
}

export function webviewPageHtml(webview: vscode.Webview, root: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${page.name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${page.name}.css`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    ...(page.extraCsp ?? []),
  ];
  const main = page.main === 'busy' ? 'aria-busy="true"' : 'aria-live="polite"';
  return htmlDocument({
    csp,
    title: page.title,
    head: `${(page.extraHead ?? []).map((l) => `${l}\n`).join('')}<link rel="stylesheet" nonce="${nonce}" href="${style}">\n`,
    body: `<main id="app" ${main}><p class="placeholder">${escapeHtml(page.placeholder)}</p></main>\n<script nonce="${nonce}" src="${script}"></script>`,
  });
}
