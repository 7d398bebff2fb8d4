/**
 * Layer Lens through the `vscode` API in a real extension host, on the samples/ workspace:
 * the same providers the editor calls (hover, inlay hints, CodeLens), the Problems of
 * broken.ts, the Show Model Summary command, and the hints after an (unsaved) edit.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, eventually, hoverText, inlayLabel, openSample, positionOf, sampleUri } from '../helpers';

/** samples/lenet.ts: LeNet-5 as real tfjs counts it, and its first conv layer (C1). */
const LENET_TOTAL = 'Σ 61,706 params';
const C1_PARAMS = '5·5·1·6 + 6 = 156';
const C1_HINT = '→ [null,28,28,6] · 156';
const C1_LINE = 'inputShape: [32, 32, 1], filters: 6';

async function inlayLabels(doc: vscode.TextDocument): Promise<string[]> {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range);
  return (hints ?? []).map(inlayLabel);
}

describe('Layer Lens in a VS Code extension host', () => {
  let lenet: vscode.TextEditor;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    lenet = await openSample('lenet.ts');
    // onLanguage:typescript activates it; wait for that rather than forcing it.
    await eventually(() => ext.isActive, `${EXTENSION_ID} to activate`);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('hover on a conv layer of lenet.ts shows the parameter formula', async () => {
    const pos = positionOf(lenet.document, C1_LINE, 'conv2d', 2);
    const text = await eventually(async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', lenet.document.uri, pos));
      return t.includes(C1_PARAMS) ? t : undefined;
    }, `a hover containing "${C1_PARAMS}"`);
    for (const expected of ['[null,32,32,1]', '[null,28,28,6]', 'out = floor((32 − 5)/1) + 1 = 28', 'MACs']) {
      assert.ok(text.includes(expected), `hover lacks "${expected}":\n${text}`);
    }
  });

  it('inlay hints show output shapes and the model total', async () => {
    const labels = await eventually(async () => {
      const l = await inlayLabels(lenet.document);
      return l.includes(C1_HINT) && l.includes(LENET_TOTAL) ? l : undefined;
    }, `inlay hints "${C1_HINT}" and "${LENET_TOTAL}"`);
    const shapes = labels.filter((l) => /^(×\d+ )?→ \[/.test(l));
    assert.equal(shapes.length, 8, `one shape hint per LeNet layer line: ${JSON.stringify(labels)}`);
  });

  it('the CodeLens shows the total parameters and a Summary command', async () => {
    const lenses = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', lenet.document.uri, 10);
      return l?.some((x) => x.command?.title.startsWith(LENET_TOTAL)) ? l : undefined;
    }, `a CodeLens starting "${LENET_TOTAL}"`);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^Σ 61,706 params \(241\.0 KB fp32\) · [\d.]+ K MACs$/.test(t)), JSON.stringify(titles));
    const summary = lenses.find((l) => l.command?.title === 'Summary');
    assert.equal(summary?.command?.command, 'layerLens.showSummary');
  });

  it('broken.ts gets its two Layer Lens errors in Problems', async () => {
    const uri = sampleUri('broken.ts');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const errors = await eventually(() => {
      const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Layer Lens' && d.severity === vscode.DiagnosticSeverity.Error);
      return ours.length >= 2 ? ours : undefined;
    }, 'two Layer Lens errors on broken.ts');
    assert.ok(errors.some((d) => d.message.includes('−1')), errors.map((d) => d.message).join('\n'));
    assert.equal(vscode.languages.getDiagnostics(sampleUri('lenet.ts')).filter((d) => d.source === 'Layer Lens' && d.severity === vscode.DiagnosticSeverity.Error).length, 0);
  });

  it('"Layer Lens: Show Model Summary" opens the summary of the active file', async () => {
    lenet = await openSample('lenet.ts');
    await vscode.commands.executeCommand('layerLens.showSummary');
    const shown = await eventually(() => {
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.uri.scheme === 'layer-lens-summary') return editor.document.getText();
      // A summary shown as a webview panel instead of a text tab.
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      if (tab && tab.input instanceof vscode.TabInputWebview && /summary/i.test(tab.label)) return `webview: ${tab.label}`;
      return undefined;
    }, 'the model summary to open');
    if (!shown.startsWith('webview:')) assert.match(shown, /Total params: 61,706/);
  });

  it('an unsaved edit updates the inlay hints (filters: 6 → 7)', async () => {
    lenet = await openSample('lenet.ts');
    const doc = lenet.document;
    const at = positionOf(doc, C1_LINE, 'filters: 6', 'filters: '.length);
    try {
      assert.ok(await lenet.edit((e) => e.replace(new vscode.Range(at, at.translate(0, 1)), '7')));
      await eventually(async () => (await inlayLabels(doc)).includes('→ [null,28,28,7] · 182'), 'the hint "→ [null,28,28,7] · 182" after the edit');
      const hover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'filters: 7', 'conv2d', 2)));
      assert.ok(hover.includes('5·5·1·7 + 7 = 182'), hover);
    } finally {
      // Back to the text on disk; nothing was saved.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.isDirty, false);
    await eventually(async () => (await inlayLabels(doc)).includes(C1_HINT), `the hint "${C1_HINT}" again after the revert`);
  });

  it("broken.ts: the quick fix sets padding 'same' and the −1 error goes", async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const server = path.join(ext.extensionPath, 'src', 'server', 'server.ts');
    if (!fs.existsSync(server) || !fs.readFileSync(server, 'utf8').includes('codeActionProvider')) this.skip();
    const uri = sampleUri('broken.ts');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
    const negative = () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'Layer Lens' && codeOf(d) === 'negative-output-size');
    const diagnostic = await eventually(negative, 'the negative-output-size error on broken.ts');
    const fix = await eventually(async () => {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
      return actions?.find((a) => a.title.startsWith("Use padding 'same'"));
    }, "a quick fix \"Use padding 'same' …\"");
    assert.ok(fix.edit, `the fix carries its edit: ${fix.title}`);
    try {
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(editor.document.getText(), /padding: 'same'/);
      await eventually(() => !negative(), 'the negative-output-size error to go');
    } finally {
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(editor.document.isDirty, false);
  });
});
