/**
 * What the Models view and the status bar item show, computed from the server's model data
 * (src/protocol/lsp/models.ts). Pure (no `vscode` import), so it is unit-tested as data;
 * src/client/models-view.ts turns these nodes into TreeItems one to one. The texts are English
 * unless a `UiL10n` is passed (the extension passes `vscode.l10n`: the display language).
 */
import { formatBytes, formatCompact, formatCount } from '../server/features/format';
import type { LayerView, LocationView, ModelAtResult, ModelView, ModelsResult } from '../protocol/lsp/models';
import { ENGLISH, type UiL10n } from '../shared/ui-l10n';

export type NodeKind = 'folder' | 'file' | 'model' | 'layer' | 'message';

export interface ModelTreeNode {
  /** Stable across refreshes of unchanged code (keeps the expansion state). */
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** A codicon id (`symbol-class`); files get the theme's file icon from `resourceUri` instead. */
  icon?: string;
  /** A theme colour id for the icon (`problemsErrorIcon.foreground`). */
  iconColor?: string;
  /** The file's URI, for its theme icon and label decorations. */
  resourceUri?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** Clicking the node reveals this source range. */
  reveal?: LocationView;
  /** For `model` and `layer` nodes: the model, so commands (Show Summary) can run on it. */
  model?: { uri: string; selector: ModelView['selector'] };
  /** `model`, `layer`, … for menus (`viewItem == model`). */
  contextValue: string;
  children: ModelTreeNode[];
}

export interface BuildOptions {
  /** Group files under their workspace folder (multi-root workspaces). */
  groupByFolder?: boolean;
}

/** The Models view's roots: files with their models and layers (under folders in a multi-root workspace). */
export function buildModelTree(result: ModelsResult, opts: BuildOptions = {}, l10n: UiL10n = ENGLISH): ModelTreeNode[] {
  const files = result.files.map((f) => fileNode(f.uri, f.path, f.models, l10n));
  let roots: ModelTreeNode[] = files;
  if (opts.groupByFolder) {
    roots = [];
    result.files.forEach((f, i) => {
      const name = f.folder ?? '';
      let folder = roots.find((r) => r.kind === 'folder' && r.label === name);
      if (!folder) {
        folder = {
          id: `folder:${name}`,
          kind: 'folder',
          label: name,
          icon: 'root-folder',
          collapsible: 'expanded',
          contextValue: 'folder',
          children: [],
        };
        roots.push(folder);
      }
      folder.children.push(files[i]);
    });
    for (const folder of roots) {
      const n = folder.children.reduce((sum, c) => sum + c.children.length, 0);
      folder.description = modelCount(n, l10n);
    }
  }
  if (result.truncated) {
    roots.push({
      id: 'message:truncated',
      kind: 'message',
      label: l10n.t('Not every file was scanned'),
      description: l10n.t('stopped after {0} TensorFlow.js files', formatCount(result.analysed)),
      icon: 'warning',
      collapsible: 'none',
      contextValue: 'message',
      children: [],
    });
  }
  return roots;
}

function fileNode(uri: string, relPath: string, models: ModelView[], l10n: UiL10n): ModelTreeNode {
  const slash = relPath.lastIndexOf('/');
  const base = slash >= 0 ? relPath.slice(slash + 1) : relPath;
  const dir = slash >= 0 ? relPath.slice(0, slash) : '';
  const counts = new Map<string, number>();
  const children = models.map((m) => {
    const k = counts.get(m.name) ?? 0;
    counts.set(m.name, k + 1);
    return modelNode(m, uri, `${uri}#${m.name}${k > 0 ? `~${k}` : ''}`, l10n);
  });
  const errors = models.reduce((n, m) => n + m.diagnostics.filter((d) => d.severity === 'error').length, 0);
  return {
    id: `file:${uri}`,
    kind: 'file',
    label: base,
    description:
      [dir, errors > 0 ? (errors === 1 ? l10n.t('{0} error', errors) : l10n.t('{0} errors', errors)) : ''].filter(Boolean).join(' · ') ||
      undefined,
    tooltip: `${relPath}\n\n${modelCount(models.length, l10n)}`,
    resourceUri: uri,
    collapsible: 'expanded',
    contextValue: 'file',
    children,
  };
}

export function modelNode(m: ModelView, fileUri: string, id: string, l10n: UiL10n = ENGLISH): ModelTreeNode {
  const errors = m.diagnostics.filter((d) => d.severity === 'error').length;
  return {
    id: `model:${id}`,
    kind: 'model',
    label: m.name,
    description: l10n.t('{0} params', formatCount(m.totals.params)),
    tooltip: modelTooltip(m, l10n),
    icon: errors > 0 ? 'error' : 'symbol-class',
    iconColor: errors > 0 ? 'problemsErrorIcon.foreground' : undefined,
    collapsible: 'collapsed',
    reveal: m.location,
    model: { uri: fileUri, selector: m.selector },
    contextValue: 'model',
    children: m.layers.map((l, i) => layerNode(l, m, fileUri, `${id}/${i}:${l.name}`, l10n)),
  };
}

function layerNode(l: LayerView, m: ModelView, fileUri: string, id: string, l10n: UiL10n): ModelTreeNode {
  return {
    id: `layer:${id}`,
    kind: 'layer',
    label: l.name,
    description: `${l.outputShape} · ${formatCount(l.params)}`,
    tooltip: layerTooltip(l, m, l10n),
    icon: layerIcon(l),
    collapsible: 'none',
    reveal: l.location ?? m.location,
    model: { uri: fileUri, selector: m.selector },
    contextValue: 'layer',
    children: [],
  };
}

/** A codicon for the layer's family. */
export function layerIcon(l: Pick<LayerView, 'className' | 'nested'>): string {
  const c = l.className.toLowerCase();
  if (l.nested) return 'symbol-class';
  if (c === 'inputlayer') return 'sign-in';
  if (c.includes('conv')) return 'symbol-array';
  if (c.includes('pool')) return 'fold-down';
  if (c.includes('dense')) return 'symbol-field';
  if (c.includes('normalization')) return 'symbol-ruler';
  if (/lstm|gru|rnn|recurrent/.test(c)) return 'sync';
  if (/^(add|concatenate|multiply|average|maximum|minimum|subtract|dot)$/.test(c)) return 'git-merge';
  if (c.includes('embedding')) return 'symbol-key';
  if (/dropout|noise/.test(c)) return 'symbol-event';
  return 'symbol-field';
}

export function modelTooltip(m: ModelView, l10n: UiL10n = ENGLISH): string {
  const t = m.totals;
  const lines = [
    l10n.t('**{0}** ({1}) — line {2}', escapeMd(m.name), m.kind, m.line),
    '',
    l10n.t('Total params: **{0}** ({1} fp32)', formatCount(t.params), formatBytes(t.paramBytes)),
    l10n.t('Trainable: {0} · non-trainable: {1}', formatCount(t.trainable), formatCount(t.nonTrainable)),
    l10n.t('MACs per sample: {0} ({1})', formatCount(t.macs), formatCompact(t.macs)),
    l10n.t('Inputs: {0} → outputs: {1}', m.inputShapes.map(code).join(', ') || '—', m.outputShapes.map(code).join(', ') || '—'),
    m.layers.length === 1 ? l10n.t('{0} layer', m.layers.length) : l10n.t('{0} layers', m.layers.length),
  ];
  if (m.optimizer || m.loss)
    lines.push(
      l10n.t(
        'Compiled with {0}',
        [m.optimizer, m.loss]
          .filter(Boolean)
          .map((x) => code(x!))
          .join(', '),
      ),
    );
  const errors = m.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) lines.push('', ...errors.slice(0, 5).map((d) => `$(error) ${escapeMd(d.message)}`));
  return lines.join('  \n');
}

export function layerTooltip(l: LayerView, m: ModelView, l10n: UiL10n = ENGLISH): string {
  const lines = [
    `**${escapeMd(l.name)}** — ${escapeMd(l.className)}${l.where ? l10n.t(' (line {0})', escapeMd(l.where)) : ''}`,
    '',
    l10n.t('Input: {0} → output: {1}', l.inputShapes.map(code).join(', ') || '—', code(l.outputShape)),
    `${l10n.t('Params: **{0}**', formatCount(l.params))}${l.paramFormula ? ` = ${code(l.paramFormula)}` : ''}`,
  ];
  if (l.nonTrainableParams)
    lines.push(l10n.t('Trainable: {0} · non-trainable: {1}', formatCount(l.trainableParams), formatCount(l.nonTrainableParams)));
  if (!l.trainable) lines.push(l10n.t('Frozen (trainable = false)'));
  lines.push(l10n.t('MACs per sample: {0}', formatCount(l.macs)));
  lines.push(l10n.t('In model {0}', code(m.name)));
  return lines.join('  \n');
}

/** The status bar item for the model at the cursor: `$(symbol-class) model · 61,706 params`. */
export function statusBarContent(at: ModelAtResult, l10n: UiL10n = ENGLISH): { text: string; tooltip: string } {
  const m = at.model;
  const t = m.totals;
  const text = `$(symbol-class) ${m.name} · ${l10n.t('{0} params', formatCount(t.params))}`;
  const tooltip = [
    `${l10n.t('{0} ({1}, line {2})', m.name, m.kind, m.line)}${at.atCursor ? '' : l10n.t(' — first model of this file')}`,
    l10n.t('{0} params ({1} fp32) · {2} MACs per sample', formatCount(t.params), formatBytes(t.paramBytes), formatCompact(t.macs)),
    l10n.t('Click to show the model summary'),
  ].join('\n');
  return { text, tooltip };
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

function modelCount(n: number, l10n: UiL10n): string {
  return n === 1 ? l10n.t('{0} model', n) : l10n.t('{0} models', n);
}
