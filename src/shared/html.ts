/**
 * The HTML document every Layer Lens webview page is: UTF-8, its Content-Security-Policy, the
 * viewport, a title. No `vscode` import: the pages built without VS Code's API (the range
 * test's chart) and those built with it (webview-page.ts) share it.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `head` and `body` are HTML (the caller escapes what they hold); `title` is text. */
export function htmlDocument(page: { csp: string[]; title: string; head: string; body: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${page.csp.join('; ')}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.head}<title>${escapeHtml(page.title)}</title>
</head>
<body>
${page.body}
</body>
</html>`;
}
