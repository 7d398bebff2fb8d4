/**
 * Language-server benchmark (`npm run bench:server`), and with `--e2e` (`npm run bench:e2e`)
 * the same figures side by side with the real VS Code (code-server + headless Chromium).
 * Everything is printed as one table next to its target; nothing asserts on time.
 *
 * Server (dist/server.js as shipped, a child process over stdio JSON-RPC, like the editor's
 * client talks to it), on a generated 2,000-line model file:
 *   - hover on layers, from the cached analysis: request → response, p50/p95
 *   - inlay hints for a visible range (60 lines), from cache
 *   - inlay hints for the whole file and CodeLens, from cache (for reference)
 *   - a keystroke (one character of a kernel size changed): the re-analysis itself (the
 *     server's own timing, from its log) and didChange → updated inlay hints of the visible
 *     range, which includes the server's 100 ms debounce
 * Real VS Code (--e2e), samples/lenet.ts open:
 *   - keystroke (`filters: 6` → 7 and back) → the updated inlay hint rendered in the DOM
 *   - hover round trip: Ctrl+K Ctrl+I → the Layer Lens hover text rendered
 *
 *   BENCH_RUNS=200 npm run bench:server    requests per cached figure (default 200)
 *   BENCH_KEYS=30 npm run bench:e2e        keystrokes per keystroke figure (default 30 server, 20 e2e)
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CodeLens,
  type Hover,
  type InlayHint,
  type MarkupContent,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
} from 'vscode-languageserver/node';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const KEYS = Number(process.env.BENCH_KEYS ?? 30);
const E2E_KEYS = Number(process.env.BENCH_KEYS ?? 20);
const E2E_HOVERS = Number(process.env.BENCH_HOVERS ?? 20);
const WARMUP = 10;
const VISIBLE_LINES = 60;
const DEBOUNCE_MS = 150;

/* ------------------------------------------------------------------ table */

interface Row {
  what: string;
  p50: string;
  p95: string;
  target: string;
  /** true met, false missed, undefined: no target. */
  met?: boolean;
}
const rows: Row[] = [];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);

function addRow(what: string, xs: number[], target = '', limit?: number): void {
  const p95 = percentile(xs, 95);
  rows.push({ what: `${what} (n=${xs.length})`, p50: ms(percentile(xs, 50)), p95: ms(p95), target, met: limit === undefined ? undefined : p95 <= limit });
}

function printTable(): void {
  const head: Row = { what: 'Measurement', p50: 'p50', p95: 'p95', target: 'target (p95)' };
  const all = [head, ...rows];
  const w = {
    what: Math.max(...all.map((r) => r.what.length)),
    p50: Math.max(...all.map((r) => r.p50.length)),
    p95: Math.max(...all.map((r) => r.p95.length)),
    target: Math.max(...all.map((r) => r.target.length)),
  };
  const line = (r: Row, status: string) => `${r.what.padEnd(w.what)}  ${r.p50.padStart(w.p50)}  ${r.p95.padStart(w.p95)}  ${r.target.padEnd(w.target)}  ${status}`;
  console.log(line(head, 'status'));
  console.log('-'.repeat(w.what + w.p50 + w.p95 + w.target + 16));
  for (const r of rows) console.log(line(r, r.met === undefined ? '' : r.met ? 'met' : 'MISSED'));
}

/* ------------------------------------------------------------------ the 2,000-line file */

/** A deep residual stack, one layer per statement, padded to exactly `lines` lines. */
function generatedModel(lineCount = 2000): string {
  const lines = [
    '/** Generated for the server benchmark: a deep residual stack, one layer per statement. */',
    "import * as tf from '@tensorflow/tfjs';",
    '',
    'type T = tf.SymbolicTensor;',
    '',
    'export function buildDeepNet(): tf.LayersModel {',
    "  const input = tf.input({ shape: [32, 32, 16], name: 'input' });",
    '  let x = input;',
    '  let y: T;',
  ];
  const tail = [
    '',
    "  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as T;",
    "  const output = tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }).apply(x) as T;",
    "  return tf.model({ inputs: input, outputs: output, name: 'deep_net' });",
    '}',
  ];
  for (let k = 0; lines.length + 16 + tail.length <= lineCount; k++) {
    lines.push(
      '',
      `  // Block ${k}: 3×3 convolution, batch normalization and ReLU, added to the`,
      '  // block input so that the shapes stay [null, 32, 32, 16] all the way down.',
      '  y = tf.layers',
      '    .conv2d({',
      '      filters: 16,',
      '      kernelSize: 3,',
      "      padding: 'same',",
      "      kernelInitializer: 'heNormal',",
      '      useBias: true,',
      `      name: 'block${k}_conv',`,
      '    })',
      '    .apply(x) as T;',
      `  y = tf.layers.batchNormalization({ name: 'block${k}_bn' }).apply(y) as T;`,
      `  y = tf.layers.activation({ activation: 'relu', name: 'block${k}_relu' }).apply(y) as T;`,
      `  x = tf.layers.add({ name: 'block${k}_add' }).apply([x, y]) as T;`,
    );
  }
  lines.push(...tail);
  while (lines.length < lineCount) lines.push('// (padding)');
  return lines.join('\n') + '\n';
}

/* ------------------------------------------------------------------ server side */

interface Position {
  line: number;
  character: number;
}

async function benchServer(): Promise<void> {
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node esbuild.mjs failed:\n${build.stdout}${build.stderr}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-server-bench-'));
  const file = path.join(dir, 'deep-net.ts');
  const text = generatedModel();
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const lines = text.split('\n');
  const lineCount = lines.length - 1;

  const server = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const client: ProtocolConnection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  /** The server's own analysis times (verbose log: "analysed deep-net.ts v3 in 41 ms (edit)"). */
  const analysed: Array<{ version: number; ms: number; reasons: string }> = [];
  let onAnalysed: (() => void) | undefined;
  client.onNotification('window/logMessage', (p: { message: string }) => {
    const m = /analysed \S+ v(\d+) in (\d+) ms \(([^)]*)\)/.exec(p.message);
    if (m) {
      analysed.push({ version: Number(m[1]), ms: Number(m[2]), reasons: m[3] });
      onAnalysed?.();
    }
  });
  client.onNotification('textDocument/publishDiagnostics', () => {});
  client.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  for (const method of ['client/registerCapability', 'window/workDoneProgress/create', 'workspace/inlayHint/refresh', 'workspace/codeLens/refresh']) {
    client.onRequest(method, () => null);
  }
  client.listen();

  try {
    await client.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).toString(),
      workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'bench' }],
      capabilities: {},
      initializationOptions: { locale: 'en', verbose: true, settings: { inlayHints: { enabled: true, showBatchDim: true, showParams: true } } },
    });
    await client.sendNotification('initialized', {});

    const firstDone = new Promise<void>((r) => (onAnalysed = r));
    const open0 = performance.now();
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    await firstDone;
    const firstMs = performance.now() - open0;
    onAnalysed = undefined;

    // Hover targets: every layer factory (`conv2d` of `.conv2d({`, `batchNormalization` of `tf.layers.batchNormalization(`, …).
    const targets: Position[] = [];
    lines.forEach((l, line) => {
      for (const m of l.matchAll(/(?:tf\.layers|^\s*)\.?(\w+)\(\{/g)) {
        if (m[1] === 'input' || m[1] === 'model') continue;
        targets.push({ line, character: (m.index ?? 0) + m[0].indexOf(m[1]) + 1 });
      }
    });
    const hoverAt = (position: Position) => client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
    const hintsIn = (startLine: number, endLine: number) =>
      client.sendRequest<InlayHint[]>('textDocument/inlayHint', {
        textDocument: { uri },
        range: { start: { line: startLine, character: 0 }, end: { line: endLine, character: 0 } },
      });

    // Hover, from cache.
    const hover: number[] = [];
    let empty = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const target = targets[(i * 37) % targets.length];
      const t0 = performance.now();
      const h = await hoverAt(target);
      const t = performance.now() - t0;
      if (!h || !(h.contents as MarkupContent).value?.includes('params')) empty++;
      if (i >= WARMUP) hover.push(t);
    }
    if (empty > 0) throw new Error(`${empty} of ${WARMUP + RUNS} hovers on layers came back without a parameter count`);

    // Inlay hints of a visible range (60 lines) at spread-out scroll positions, from cache.
    const visible: number[] = [];
    let hintCount = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const start = ((i * 131) % (lineCount - VISIBLE_LINES)) | 0;
      const t0 = performance.now();
      const hints = await hintsIn(start, start + VISIBLE_LINES);
      const t = performance.now() - t0;
      if (i >= WARMUP) {
        visible.push(t);
        hintCount += hints.length;
      }
    }
    if (hintCount === 0) throw new Error('no inlay hints in any visible range');

    const whole: number[] = [];
    const lenses: number[] = [];
    for (let i = 0; i < WARMUP + Math.ceil(RUNS / 4); i++) {
      const t0 = performance.now();
      await hintsIn(0, lineCount);
      const t1 = performance.now();
      const l = await client.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      const t2 = performance.now();
      if (l.length === 0) throw new Error('no CodeLens');
      if (i >= WARMUP) {
        whole.push(t1 - t0);
        lenses.push(t2 - t1);
      }
    }

    // A keystroke in the middle of the file: block 60's kernel size 3 ↔ 5 (one character), then the
    // visible range around it asked for at once, as the editor does; the answer waits for the
    // debounced re-analysis.
    const editLine = lines.findIndex((l) => l.includes("name: 'block60_conv'")) - 4; // `kernelSize: 3,`
    if (!lines[editLine]?.includes('kernelSize: 3')) throw new Error(`unexpected line ${editLine}: ${lines[editLine]}`);
    // The conv layer's hint sits at the end of its factory call, the line `    })`.
    const convLine = lines.findIndex((l, i) => i > editLine && l.trim() === '})');
    const character = lines[editLine].indexOf('3');
    const keystroke: number[] = [];
    const analysis: number[] = [];
    let version = 1;
    for (let i = 0; i < 3 + KEYS; i++) {
      const next = i % 2 === 0 ? '5' : '3';
      const expected = next === '5' ? '6,416' : '2,320'; // 5·5·16·16 + 16, 3·3·16·16 + 16
      version++;
      const before = analysed.length;
      const t0 = performance.now();
      await client.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: editLine, character }, end: { line: editLine, character: character + 1 } }, text: next }],
      });
      const hints = await hintsIn(Math.max(0, editLine - VISIBLE_LINES / 2), editLine + VISIBLE_LINES / 2);
      const t = performance.now() - t0;
      const label = hints.filter((h) => h.position.line === convLine).map((h) => String(h.label));
      if (!label.some((l) => l.includes(expected))) throw new Error(`after the keystroke the hint on line ${convLine + 1} is ${JSON.stringify(label)}, expected ${expected}`);
      // The log line of this version's analysis arrives just before (or just after) the response.
      for (let k = 0; k < 50 && !analysed.slice(before).some((a) => a.version === version); k++) await new Promise((r) => setTimeout(r, 2));
      const own = analysed.slice(before).find((a) => a.version === version);
      if (i >= 3) {
        keystroke.push(t);
        if (own) analysis.push(own.ms);
      }
    }

    const label = `server, ${lineCount.toLocaleString('en-US')}-line file`;
    rows.push({ what: `${label}: first analysis after didOpen (n=1)`, p50: ms(firstMs), p95: '', target: '' });
    addRow(`${label}: hover on a layer, from cache`, hover, '≤ 10 ms', 10);
    addRow(`${label}: inlay hints, visible range (${VISIBLE_LINES} lines), from cache`, visible, '≤ 30 ms', 30);
    addRow(`${label}: inlay hints, whole file, from cache`, whole);
    addRow(`${label}: CodeLens, from cache`, lenses);
    addRow(`${label}: re-analysis after a keystroke (server's own timing)`, analysis);
    addRow(`${label}: keystroke → updated hints of the visible range (incl. ${DEBOUNCE_MS} ms debounce)`, keystroke, '≤ 300 ms', 300);
    await client.sendRequest('shutdown');
    await client.sendNotification('exit');
  } finally {
    client.dispose();
    if (server.exitCode === null) server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/* ------------------------------------------------------------------ real VS Code (--e2e) */

type Page = import('playwright-core').Page;
interface Harness {
  prepare(): Promise<unknown>;
  startEditor(): Promise<{ cs: { url: string }; page: Page; stop(): Promise<void> }>;
  stopAll(): Promise<void>;
  log(message: string): void;
}
interface Workbench {
  openWorkbench(page: Page, url: string): Promise<void>;
  quickOpen(page: Page, path: string): Promise<void>;
  gotoLine(page: Page, line: number, column: number): Promise<void>;
  waitFor<T>(fn: () => Promise<T>, opts: { timeoutMs?: number; what?: string }): Promise<T>;
  runCommand(page: Page, label: string): Promise<void>;
}

/**
 * What the page measures: key press (keydown, capture phase) → the text appearing in `selector`
 * (checked on every DOM mutation). Kept as plain JavaScript source: functions compiled by tsx
 * carry helpers (`__name`) that do not exist in the page.
 */
const ARM_TIMER = `({ key, selector, expected }) => {
  const textOf = () => Array.from(document.querySelectorAll(selector)).map((e) => e.textContent || '').join('\\n').replace(/\\u00a0/g, ' ');
  window.__bench = new Promise((resolve, reject) => {
    let pressed = -1;
    let timer;
    const observer = new MutationObserver(() => check());
    const onKey = (e) => {
      if (pressed < 0 && e.key.toLowerCase() === key) {
        pressed = performance.now();
        queueMicrotask(check);
      }
    };
    function check() {
      if (pressed < 0 || !textOf().includes(expected)) return;
      const at = performance.now();
      observer.disconnect();
      window.removeEventListener('keydown', onKey, true);
      clearTimeout(timer);
      resolve(at - pressed);
    }
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class'] });
    window.addEventListener('keydown', onKey, true);
    timer = setTimeout(() => {
      observer.disconnect();
      window.removeEventListener('keydown', onKey, true);
      reject(new Error('"' + expected + '" did not appear in ' + selector + ' within 15 s; saw ' + JSON.stringify(textOf().slice(0, 300))));
    }, 15000);
  });
}`;

async function armTimer(page: Page, key: string, selector: string, expected: string): Promise<void> {
  await page.evaluate(`(${ARM_TIMER})(${JSON.stringify({ key, selector, expected })})`);
}

const elapsed = (page: Page) => page.evaluate('window.__bench') as Promise<number>;

async function benchVsCode(): Promise<void> {
  // Plain JavaScript modules shared with the e2e tests and the smoke check.
  const harness: Harness = await import(pathToFileURL(path.join(ROOT, 'test', 'e2e', 'harness.mjs')).href);
  const wb: Workbench = await import(pathToFileURL(path.join(ROOT, 'scripts', 'lib', 'workbench.mjs')).href);
  await harness.prepare();
  const editor = await harness.startEditor();
  try {
    const { page } = editor;
    await wb.openWorkbench(page, editor.cs.url);
    await wb.quickOpen(page, 'lenet.ts');
    const EDITOR = '.editor-group-container.active .monaco-editor .view-lines';
    const HOVER = '.editor-group-container.active .monaco-hover:not(.hidden) .monaco-hover-content';
    await wb.waitFor(async () => (await page.locator(EDITOR).innerText()).replace(/\u00a0/g, ' ').includes('→ [null,28,28,6] · 156'), {
      timeoutMs: 60_000,
      what: 'the inlay hints of lenet.ts',
    });
    const source = fs.readFileSync(path.join(ROOT, 'samples', 'lenet.ts'), 'utf8').split('\n');
    const c1 = source.findIndex((l) => l.includes('inputShape: [32, 32, 1], filters: 6'));
    const digit = source[c1].indexOf('filters: 6') + 'filters: '.length + 1; // 1-based column of the 6

    // Hover round trip on C1 (from the server's cache; TypeScript's hover is asked too, as always).
    await wb.gotoLine(page, c1 + 1, source[c1].indexOf('conv2d') + 3);
    const hover: number[] = [];
    for (let i = 0; i < 3 + E2E_HOVERS; i++) {
      await page.keyboard.press('Escape');
      await page.locator(HOVER).waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
      await armTimer(page, 'i', HOVER, '5·5·1·6 + 6 = 156');
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const t = await elapsed(page);
      if (i >= 3) hover.push(t);
    }
    await page.keyboard.press('Escape');

    // Keystrokes: select the 6 of `filters: 6` and type 7, then select it and type 6, …
    await wb.gotoLine(page, c1 + 1, digit);
    const keystroke: number[] = [];
    for (let i = 0; i < 2 + E2E_KEYS; i++) {
      const next = i % 2 === 0 ? '7' : '6';
      const expected = next === '7' ? '→ [null,28,28,7] · 182' : '→ [null,28,28,6] · 156';
      await page.keyboard.press(i === 0 ? 'Shift+ArrowRight' : 'Shift+ArrowLeft');
      await armTimer(page, next, EDITOR, expected);
      await page.keyboard.press(next);
      const t = await elapsed(page);
      if (i >= 2) keystroke.push(t);
    }
    // An even number of keystrokes: the text is as on disk again (auto save is off anyway).
    harness.log('real VS Code measured');
    addRow('VS Code (code-server, Chromium), lenet.ts: hover round trip, key → Layer Lens text rendered', hover);
    addRow('VS Code (code-server, Chromium), lenet.ts: keystroke → updated inlay hint rendered (incl. debounce)', keystroke, '≤ 300 ms', 300);
  } finally {
    await editor.stop();
    await harness.stopAll();
  }
}

async function main(): Promise<void> {
  const e2e = process.argv.includes('--e2e');
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Layer Lens language-server benchmark${e2e ? ' + real VS Code' : ''} — node ${process.version}, ${os.cpus().length}× ${os.cpus()[0]?.model.trim()}`);
  console.log(`load average at start: ${load()} (wall-clock percentiles include whatever else runs on the machine)\n`);
  await benchServer();
  if (e2e) await benchVsCode();
  printTable();
  console.log(`\nload average at end: ${load()}`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
