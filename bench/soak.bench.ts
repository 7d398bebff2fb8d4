/**
 * Language-server memory soak (`npm run bench:soak`, `-- --edits 3000` for fewer): the built
 * dist/server.js --stdio (run with --expose-gc and LAYER_LENS_MEMORY_PROBE=1) gets N hostile
 * edits of samples/lenet.ts — random token insertions and deletions, unbalanced brackets,
 * `while(true){}`, NUL characters, 20,000 blank lines appended every 500 edits — plus, every
 * 25 edits, a hover at an out-of-range position and inlay hints for an inverted range.
 * Prints RSS and heap-used at intervals, growth after warm-up next to the first interval's
 * figure, the same after a forced GC, checks every request was answered and that the hover on
 * lenet's first conv2d afterwards reads 5·5·1·6 + 6 = 156. Then 200 distinct model files are opened,
 * hovered and closed per round (`--open-close-rounds 5`), with heap-used and RSS after a forced GC
 * per round next to round 1's. SOAK_NODE_FLAGS adds node flags to the server.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Hover, type MarkupContent, StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver/node';

const ROOT = path.resolve(__dirname, '..');
const flag = process.argv.indexOf('--edits');
const EDITS = flag >= 0 ? Number(process.argv[flag + 1]) : 15_000;
const WARM = Math.min(3_000, Math.floor(EDITS / 5));
const EVERY = Math.max(1, Math.floor(EDITS / 5));
const roundsFlag = process.argv.indexOf('--open-close-rounds');
const ROUNDS = roundsFlag >= 0 ? Number(process.argv[roundsFlag + 1]) : 5;
const FILES = 200;
const MiB = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

let seed = 15;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
const HOSTILE = ['(', ')', '{', '}', '[', ']', 'while(true){}', '\u0000', 'tf.layers.', ';', '=>', '"', '`', 'new ', '...'];

function mutate(base: string, text: string, i: number): string {
  if (i % 500 === 0) return text + '\n'.repeat(20_000);
  if (i % 97 === 0) return base; // back to the valid program now and then, so analyses run deep
  const at = rand(text.length + 1);
  return rand(2) === 0 ? text.slice(0, at) + HOSTILE[rand(HOSTILE.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + rand(8));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-soak-'));
  const base = fs.readFileSync(path.join(ROOT, 'samples', 'lenet.ts'), 'utf8');
  const file = path.join(dir, 'lenet.ts');
  fs.writeFileSync(file, base);
  const uri = pathToFileURL(file).toString();
  const server = spawn(process.execPath, [...(process.env.SOAK_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--expose-gc', path.join(ROOT, 'dist', 'server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, LAYER_LENS_MEMORY_PROBE: '1' },
  });
  let crashed = false;
  server.on('exit', (code) => (crashed = code !== 0 && code !== null));
  const client = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  client.onNotification('window/logMessage', () => {});
  client.onNotification('textDocument/publishDiagnostics', () => {});
  client.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  for (const m of ['client/registerCapability', 'window/workDoneProgress/create', 'workspace/inlayHint/refresh', 'workspace/codeLens/refresh']) client.onRequest(m, () => null);
  client.listen();
  const memory = (gc = false) => client.sendRequest<{ rss: number; heapUsed: number }>('layerLens/debugMemory', { gc });

  await client.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, initializationOptions: { locale: 'en' } });
  await client.sendNotification('initialized', {});
  await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: base } });

  let sent = 0;
  let answered = 0;
  const ask = <T>(p: Promise<T>) => (sent++, p.then((r) => (answered++, r), () => (answered++, null)));
  const rows: Array<{ edits: number; rss: number; heap: number }> = [];
  const sample = async (edits: number) => {
    const m = await memory();
    rows.push({ edits, rss: m.rss, heap: m.heapUsed });
    console.log(`${String(edits).padStart(6)} edits  rss ${MiB(m.rss).padStart(10)}  heap-used ${MiB(m.heapUsed).padStart(10)}`);
  };
  await sample(0);
  let text = base;
  for (let i = 1; i <= EDITS; i++) {
    text = mutate(base, text, i);
    await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 1 }, contentChanges: [{ text }] });
    if (i % 25 === 0) {
      await Promise.all([
        ask(client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1_000_000, character: 99_999 } })),
        ask(client.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 50, character: 0 }, end: { line: 2, character: 0 } } })),
      ]);
    }
    if (i === WARM || i % EVERY === 0) await sample(i);
  }
  await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: EDITS + 2 }, contentChanges: [{ text: base }] });
  const line = base.split('\n').findIndex((l) => l.includes('conv2d'));
  const hover = await ask(client.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: base.split('\n')[line].indexOf('conv2d') + 1 } }));
  const hoverText = hover ? (hover.contents as MarkupContent).value : '';
  const warm = rows.find((r) => r.edits === WARM) ?? rows[0];
  const last = rows[rows.length - 1];
  const gcWarm = await memory(true);

  // Open/close: 200 distinct model files a round, opened, hovered, closed; heap and RSS after a forced GC per round.
  const openClose: Array<{ rss: number; heap: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const uris: string[] = [];
    for (let f = 0; f < FILES; f++) {
      const u = pathToFileURL(path.join(dir, `r${round}`, `model${f}.ts`)).toString();
      const model = `import * as tf from '@tensorflow/tfjs';\nexport const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [8], units: ${round * FILES + f + 1} }));\nmodel.add(tf.layers.dense({ units: 2 }));\n`;
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'typescript', version: 1, text: model } });
      uris.push(u);
    }
    for (const u of uris) await ask(client.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: { line: 2, character: 30 } }));
    for (const u of uris) await client.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
    const m = await memory(true);
    openClose.push({ rss: m.rss, heap: m.heapUsed });
    console.log(`open/close round ${round + 1} (${FILES} files): rss ${MiB(m.rss).padStart(10)}  heap-used ${MiB(m.heapUsed).padStart(10)}  vs round 1: rss ${MiB(m.rss - openClose[0].rss)}, heap-used ${MiB(m.heapUsed - openClose[0].heap)}`);
  }

  console.log('');
  console.log(`first interval (0 edits): rss ${MiB(rows[0].rss)}, heap-used ${MiB(rows[0].heap)}`);
  const growth = last.rss - warm.rss;
  console.log(`growth ${WARM} → ${last.edits} edits: rss ${MiB(growth)} (target ≤ 30 MiB) ${growth <= 30 * 1048576 ? 'MET' : 'MISSED'}; heap-used ${MiB(last.heap - warm.heap)}`);
  const afterGc = gcWarm.heapUsed / warm.heap - 1;
  console.log(`after a forced GC: heap-used ${MiB(gcWarm.heapUsed)}, rss ${MiB(gcWarm.rss)}; ${(afterGc * 100).toFixed(1)}% vs warm heap-used (target ≤ 10%) ${afterGc <= 0.1 ? 'MET' : 'MISSED'}`);
  if (openClose.length > 1) {
    const oc = openClose[openClose.length - 1].heap - openClose[0].heap;
    console.log(`open/close: heap-used after GC ${MiB(oc)} from round 1 to ${openClose.length} (${(oc / ((openClose.length - 1) * FILES)).toFixed(0)} B per open/close), rss ${MiB(openClose[openClose.length - 1].rss - openClose[0].rss)}`);
  }
  console.log(`requests answered: ${answered}/${sent} ${answered === sent ? 'MET' : 'MISSED'}; server crashed: ${crashed}`);
  const ok = /156/.test(hoverText);
  console.log(`final hover on the first conv2d shows 156 parameters: ${ok ? 'MET' : 'MISSED'}`);
  client.dispose();
  server.kill();
  fs.rmSync(dir, { recursive: true, force: true });
  if (!ok || answered !== sent || crashed) process.exitCode = 1;
}

void main();
