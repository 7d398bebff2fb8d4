/**
 * Robustness: whatever an editor holds mid-keystroke, the engine must answer. Every
 * .ts file under test/fixtures/ and samples/ (whatever exists when the test runs) plus
 * a few built-in sources is mutated many times with a seeded PRNG: truncated, tokens
 * and characters deleted, lines duplicated, brackets swapped, infinite loops, infinite
 * recursion, huge loops, deep nesting and huge allocations inserted. For each mutant
 * `Analyzer.analyze` must not throw, must return a well-formed FileAnalysis, must finish
 * within its time bound, and memory must stay bounded. Hand-written pathological
 * programs must additionally report an 'analysis-bound' diagnostic.
 *
 * Reproduce a failure with the seed and mutant index it prints:
 *   LAYER_LENS_FUZZ_SEED=<seed> LAYER_LENS_FUZZ_COUNT=<n> node --import tsx --test test/unit/robustness.test.ts
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Analyzer } from '../../src/analysis/engine';
import type { FileAnalysis } from '../../src/analysis/graph';
import { DEFAULT_LIMITS, type Limits } from '../../src/analysis/interpret/bounds';

const ROOT = path.resolve(__dirname, '..', '..');
const SEED = Number(process.env.LAYER_LENS_FUZZ_SEED ?? 20240917);
const MUTANTS = Number(process.env.LAYER_LENS_FUZZ_COUNT ?? 1200);

/** Small limits keep each mutant fast; the bounds are what is being tested, not their size. */
const MUTANT_LIMITS: Limits = { maxSteps: 60_000, maxLoopIterations: 1_000, maxCallDepth: 48, maxMillis: 1_000 };
const PATHOLOGICAL_LIMITS: Limits = { maxSteps: 40_000, maxLoopIterations: 500, maxCallDepth: 40, maxMillis: 400 };
/** Parsing, the graph and scheduling noise on a loaded 2-core machine come on top of maxMillis. */
const SLACK_MS = 1_500;
/** Heap a single analysis may add (measured right after it, garbage included). */
const HEAP_PER_CASE = 384 * 1024 * 1024;
/** Heap left behind by all mutants together once collected: analyzers must not leak. */
const HEAP_LEAK = 96 * 1024 * 1024;
const MAX_RSS = 1_536 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/* ------------------------------------------------------------------ PRNG */

/** mulberry32: tiny, seedable, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

/* ------------------------------------------------------------------ corpus */

const INLINE_SOURCES: Record<string, string> = {
  'inline-sequential.ts': `import * as tf from '@tensorflow/tfjs';
const HIDDEN = [128, 64, 32];
export function buildMlp(inputDim = 784, classes = 10): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: HIDDEN[0], activation: 'relu', inputShape: [inputDim] }));
  for (const units of HIDDEN.slice(1)) {
    model.add(tf.layers.dense({ units, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.2 }));
  }
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
`,
  'inline-functional.ts': `import * as tf from '@tensorflow/tfjs';
type T = tf.SymbolicTensor;
const conv = (x: T, filters: number, strides = 1): T =>
  tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as T;
function block(x: T, filters: number, downsample: boolean): T {
  let y = conv(x, filters, downsample ? 2 : 1);
  y = tf.layers.batchNormalization().apply(y) as T;
  y = tf.layers.reLU().apply(y) as T;
  y = conv(y, filters);
  const shortcut = downsample ? conv(x, filters, 2) : x;
  return tf.layers.add().apply([y, shortcut]) as T;
}
export function buildNet(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = conv(input, 16);
  const stages: Array<[number, number]> = [[16, 2], [32, 2], [64, 2]];
  stages.forEach(([filters, n], s) => {
    for (let i = 0; i < n; i++) x = block(x, filters, s > 0 && i === 0);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as T;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as T;
  return tf.model({ inputs: input, outputs: out });
}
`,
  'inline-class.ts': `import * as tf from '@tensorflow/tfjs';
interface Config { vocab: number; embed: number; units: number[]; bidirectional?: boolean }
export class TextModel {
  private readonly cfg: Config;
  constructor(cfg: Partial<Config> = {}) {
    this.cfg = { vocab: 10000, embed: 64, units: [64, 32], ...cfg };
  }
  build(): tf.LayersModel {
    const { vocab, embed, units } = this.cfg;
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: vocab, outputDim: embed, inputLength: 100 }));
    units.forEach((u, i) => {
      const lstm = tf.layers.lstm({ units: u, returnSequences: i < units.length - 1 });
      m.add(this.cfg.bidirectional ? tf.layers.bidirectional({ layer: lstm as tf.RNN }) : lstm);
    });
    m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    return m;
  }
}
export const model = new TextModel({ bidirectional: true }).build();
`,
  'inline-commonjs.js': `const tf = require('@tensorflow/tfjs');
const sizes = { h: 28, w: 28, c: 1 };
function make(kind) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [sizes.h, sizes.w, sizes.c], filters: 8, kernelSize: 5 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  switch (kind) {
    case 'deep': model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3 })); break;
    default: break;
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
module.exports = { shallow: make('shallow'), deep: make('deep') };
`,
};

interface Source {
  name: string;
  /** Absolute fake path next to the original, so relative imports still resolve. */
  fakePath: string;
  text: string;
}

function listSources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function corpus(): Source[] {
  const files = [...listSources(path.join(ROOT, 'test', 'fixtures')), ...listSources(path.join(ROOT, 'samples'))];
  const sources: Source[] = files.map((f) => ({
    name: path.relative(ROOT, f),
    fakePath: path.join(path.dirname(f), `__mutant__${path.basename(f)}`),
    text: fs.readFileSync(f, 'utf8'),
  }));
  for (const [name, text] of Object.entries(INLINE_SOURCES)) {
    sources.push({ name: `inline:${name}`, fakePath: path.join(ROOT, 'test', '__virtual__', name), text });
  }
  return sources;
}

/* ------------------------------------------------------------------ mutations */

/** Code that never ends, or ends only after far too long: each must hit a bound. */
const INFINITE_SNIPPETS = [
  'while(true){}',
  'for(;;){}',
  'do { } while (1 < 2);',
  'function f(){return f()}; f();',
  'const ping = (n: number): number => pong(n + 1); const pong = (n: number): number => ping(n); ping(0);',
  'for (let i=0;i<1e12;i++) model.add(tf.layers.dense({units: 8}));',
  'for (let i=0;i<1e12;i++) x = tf.layers.dense({units: 8}).apply(x);',
  'while (true) { model.add(tf.layers.dense({ units: 4 })); }',
  'class Boom { constructor() { new Boom(); } } new Boom();',
  'const keep: number[][] = []; for (;;) keep.push(new Array(1e5).fill(0));',
  'let grow = [1]; for (;;) grow = grow.concat(grow);',
  'outer: for (;;) { for (;;) { continue outer; } }',
];

/** Code that is merely huge or deep; it must not throw or exhaust memory. */
const HEAVY_SNIPPETS = [
  'const big = Array(1e9);',
  'const filled = new Array(1e9).fill(0);',
  'const listed = Array.from({ length: 1e9 }, (_, i) => i);',
  "const long = 'x'.repeat(1e9);",
  "let dbl = 'ab'; for (let i = 0; i < 40; i++) dbl += dbl;",
  'const nested = ' + '['.repeat(3000) + ']'.repeat(3000) + ';',
  'const parens = ' + '('.repeat(3000) + '1' + ')'.repeat(3000) + ';',
  '{'.repeat(4000) + '}'.repeat(4000),
  'if (true) '.repeat(6000) + ';',
  'const sum = ' + Array(30000).fill('1').join(' + ') + ';',
  '(() => '.repeat(400) + '0' + ')()'.repeat(400) + ';',
  'const obj = ' + '{ a: '.repeat(2000) + '1' + ' }'.repeat(2000) + ';',
  'const acc: number[] = []; if (Math.random() > 0.5) { for (let i = 0; i < 1e5; i++) acc.push(i); }',
];

const SNIPPETS = [...INFINITE_SNIPPETS, ...HEAVY_SNIPPETS];
const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e\d+)?|\s+|[^\s]/g;
const BRACKETS = '()[]{}<>';

type Mutation = (rng: Rng, text: string) => string;

const MUTATIONS: Record<string, Mutation> = {
  truncate: (rng, t) => t.slice(0, int(rng, t.length + 1)),
  deleteChars: (rng, t) => {
    let s = t;
    for (let k = 1 + int(rng, 8); k > 0 && s.length; k--) {
      const at = int(rng, s.length);
      s = s.slice(0, at) + s.slice(at + 1 + int(rng, 3));
    }
    return s;
  },
  deleteTokens: (rng, t) => {
    const toks = t.match(TOKEN) ?? [];
    const solid = toks.map((x, i) => (/^\s+$/.test(x) ? -1 : i)).filter((i) => i >= 0);
    for (let k = 1 + int(rng, 4); k > 0 && solid.length; k--) toks[pick(rng, solid)] = '';
    return toks.join('');
  },
  duplicateLines: (rng, t) => {
    const lines = t.split('\n');
    for (let k = 1 + int(rng, 3); k > 0; k--) {
      const from = int(rng, lines.length);
      const n = 1 + int(rng, 4);
      lines.splice(int(rng, lines.length + 1), 0, ...lines.slice(from, from + n));
    }
    return lines.join('\n');
  },
  swapBrackets: (rng, t) => {
    const at = [...t].flatMap((c, i) => (BRACKETS.includes(c) ? [i] : []));
    if (at.length === 0) return t;
    const chars = t.split('');
    for (let k = 1 + int(rng, 3); k > 0; k--) {
      if (rng() < 0.5) {
        const i = pick(rng, at);
        chars[i] = pick(rng, BRACKETS.replace(chars[i], '').split(''));
      } else {
        const i = pick(rng, at);
        const j = pick(rng, at);
        [chars[i], chars[j]] = [chars[j], chars[i]];
      }
    }
    return chars.join('');
  },
  insertSnippet: (rng, t) => {
    const lines = t.split('\n');
    lines.splice(int(rng, lines.length + 1), 0, pick(rng, SNIPPETS));
    return lines.join('\n');
  },
  insertInsideBlock: (rng, t) => {
    // Right after an opening brace: inside a function, a loop or a class body.
    const at = [...t].flatMap((c, i) => (c === '{' ? [i + 1] : []));
    if (at.length === 0) return t;
    const i = pick(rng, at);
    return `${t.slice(0, i)}\n${pick(rng, INFINITE_SNIPPETS)}\n${t.slice(i)}`;
  },
  moveLine: (rng, t) => {
    const lines = t.split('\n');
    const [line] = lines.splice(int(rng, lines.length), 1);
    lines.splice(int(rng, lines.length + 1), 0, line ?? '');
    return lines.join('\n');
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

/* ------------------------------------------------------------------ checks */

interface Outcome {
  result: FileAnalysis;
  ms: number;
  heapDelta: number;
}

/** Runs the engine on `text` at `file`; anything but a well-formed, timely answer is thrown as a message. */
function analyse(file: string, text: string, limits: Limits): Outcome {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let results: FileAnalysis[];
  try {
    results = new Analyzer().analyze([file], { contents: new Map([[file, text]]), limits });
  } catch (e) {
    throw new Error(`analyze threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
  }
  const ms = performance.now() - t0;
  const heapDelta = process.memoryUsage().heapUsed - heapBefore;
  if (!Array.isArray(results) || results.length !== 1) throw new Error(`expected one FileAnalysis, got ${JSON.stringify(results)?.slice(0, 200)}`);
  const [result] = results;
  checkShape(result, file);
  if (ms > limits.maxMillis + SLACK_MS) throw new Error(`took ${ms.toFixed(0)} ms, bound ${limits.maxMillis} ms (+${SLACK_MS} slack)`);
  if (heapDelta > HEAP_PER_CASE) throw new Error(`heap grew by ${(heapDelta / 2 ** 20).toFixed(0)} MiB`);
  return { result, ms, heapDelta };
}

function checkShape(r: FileAnalysis, file: string): void {
  const fail = (what: string) => {
    throw new Error(`malformed FileAnalysis: ${what}`);
  };
  if (r === null || typeof r !== 'object') fail('not an object');
  if (r.file !== file) fail(`file is ${r.file}`);
  if (!Array.isArray(r.models) || !Array.isArray(r.diagnostics)) fail('models/diagnostics are not arrays');
  const diags = [...r.diagnostics, ...r.models.flatMap((m) => (Array.isArray(m.diagnostics) ? m.diagnostics : []))];
  for (const d of diags) {
    if (!['error', 'warning', 'info', 'hint'].includes(d.severity) || typeof d.code !== 'string' || typeof d.message !== 'string') fail(`diagnostic ${JSON.stringify(d)}`);
  }
  for (const m of r.models) {
    if (!Array.isArray(m.layers) || !Array.isArray(m.diagnostics) || typeof m.totals !== 'object' || !m.range) fail(`model ${m.name}`);
    for (const l of m.layers) if (typeof l.name !== 'string' || typeof l.params !== 'object') fail(`layer in ${m.name}`);
  }
  // What the extension and the CLI do with it: no cycles, nothing unserialisable.
  JSON.stringify(r);
}

const hasBound = (r: FileAnalysis) => r.diagnostics.some((d) => d.code === 'analysis-bound' && d.severity === 'info');

/* ------------------------------------------------------------------ pathological programs */

const TF = `import * as tf from '@tensorflow/tfjs';\n`;
const MODEL = `${TF}const model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 4, inputShape: [4] }));\n`;

/** Each never finishes in real JavaScript (or would take ages): the analysis must stop at a bound and say so. */
const INFINITE: Record<string, string> = {
  'while(true){}': 'while(true){}',
  'for(;;){}': 'for(;;){}',
  'do {} while (true)': 'let n = 0; do { n++; } while (true);',
  'infinite recursion': 'function f(){return f()}; f()',
  'mutual recursion': 'function even(n: number): boolean { return odd(n + 1); } function odd(n: number): boolean { return even(n + 1); } even(0);',
  'recursion through a default parameter': 'function f(a: number = f()): number { return a; } f();',
  'recursive constructor': 'class Node2 { child = new Node2(); } new Node2();',
  'recursive getter': 'const o = { get x(): number { return o.x; } }; o.x;',
  'async recursion': 'async function f(): Promise<void> { await f(); } f();',
  'huge loop adding layers': `${MODEL}for (let i = 0; i < 1e12; i++) model.add(tf.layers.dense({ units: 4 }));`,
  'infinite loop adding layers': `${MODEL}while (true) { model.add(tf.layers.dense({ units: 4 })); }`,
  'huge functional loop': `${TF}const input = tf.input({ shape: [8] });\nlet x = input;\nfor (let i = 0; i < 1e12; i++) x = tf.layers.dense({ units: 8 }).apply(x) as tf.SymbolicTensor;\nexport const m = tf.model({ inputs: input, outputs: x });`,
  'infinite loop in an uncalled builder': `${TF}export function build() {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({ units: 2, inputShape: [2] }));\n  for (;;) m.add(tf.layers.dense({ units: 2 }));\n  return m;\n}`,
  'infinite loop in a builder method': `${TF}export class Net {\n  build() {\n    const m = tf.sequential();\n    while (true) {}\n    return m;\n  }\n}`,
  'labelled infinite loops': 'outer: for (;;) { for (;;) { continue outer; } }',
  'infinite loop with try/catch': 'for (;;) { try { throw new Error("x"); } catch { /* again */ } }',
  'infinite allocation': 'const keep: number[][] = []; for (;;) keep.push(new Array(1e5).fill(0));',
  'array doubling': 'let a = [1]; for (;;) a = a.concat(a);',
  'spread doubling': 'let a = [1]; for (;;) a = [...a, ...a];',
  'infinite for-of over a growing array': 'const xs = [1]; for (const x of xs) xs.push(x);',
  'recursion building layers': `${TF}function grow(m: tf.Sequential): tf.Sequential { m.add(tf.layers.dense({ units: 2 })); return grow(m); }\nconst s = tf.sequential(); s.add(tf.layers.dense({ units: 2, inputShape: [2] })); grow(s);`,
};

/** Huge, deep or wide but finite: must not throw nor blow up memory; a bound may or may not be reached. */
const HEAVY: Record<string, string> = {
  'Array(1e9)': 'const a = Array(1e9); const b = a.length;',
  'new Array(1e9).fill(0)': 'const a = new Array(1e9).fill(0); const n = a.map((x: number) => x + 1);',
  'Array.from length 1e9': 'const a = Array.from({ length: 1e9 }, (_, i) => i);',
  'for-of Array(1e9)': 'let s = 0; for (const x of Array(1e9)) s++;',
  "'x'.repeat(1e9)": "const s = 'x'.repeat(1e9); const parts = s.split('');",
  'string doubling': "let s = 'ab'; for (let i = 0; i < 40; i++) s += s; const n = s.length;",
  'allocation in a bounded loop': 'const keep: number[][] = []; for (let i = 0; i < 400; i++) keep.push(new Array(1e7).fill(0));',
  'pushes under an unknown condition': 'const acc: number[] = []; if (Math.random() > 0.5) { for (let i = 0; i < 1e5; i++) acc.push(i); }',
  'nested parentheses': 'const x = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ';',
  'nested arrays': 'const x = ' + '['.repeat(5000) + ']'.repeat(5000) + ';',
  'nested blocks': '{'.repeat(5000) + '}'.repeat(5000),
  'nested objects': 'const o = ' + '{ a: '.repeat(5000) + '1' + ' }'.repeat(5000) + ';',
  'if chain': 'if (true) '.repeat(20000) + ';',
  'nested IIFEs': '(() => '.repeat(3000) + '1' + ')()'.repeat(3000) + ';',
  'long binary chain': 'const x = ' + Array(50000).fill('1').join(' + ') + ';',
  'long member chain': 'const x = ({} as any)' + '.a'.repeat(50000) + ';',
  'long call chain': 'const f = (): any => f; f' + '()'.repeat(20000) + ';',
  'deeply nested model code': `${TF}export function build() {\n  const m = tf.sequential();\n${'  {\n'.repeat(1500)}  m.add(tf.layers.dense({ units: 1, inputShape: [1] }));\n${'  }\n'.repeat(1500)}  return m;\n}`,
  'many layers in a long file': `${MODEL}${'model.add(tf.layers.dense({ units: 4 }));\n'.repeat(3000)}`,
  'unterminated everything': "import * as tf from '@tensorflow/tfjs'; const m = tf.sequential({ layers: [tf.layers.dense({ units: `${'",
  'binary garbage': String.fromCharCode(...Array.from({ length: 4000 }, (_, i) => (i * 7919) % 65536)),
};

/* ------------------------------------------------------------------ tests */

describe('robustness: pathological programs hit a bound, never hang', () => {
  const dir = path.join(ROOT, 'test', '__virtual__');
  for (const [name, body] of Object.entries(INFINITE)) {
    it(`${name} → analysis-bound`, () => {
      gc();
      const { result } = analyse(path.join(dir, 'infinite.ts'), body, PATHOLOGICAL_LIMITS);
      assert.ok(hasBound(result), `no analysis-bound diagnostic: ${JSON.stringify(result.diagnostics)}`);
    });
  }
  for (const [name, body] of Object.entries(HEAVY)) {
    it(`${name}: no throw, bounded time and memory`, () => {
      gc();
      analyse(path.join(dir, 'heavy.ts'), body, PATHOLOGICAL_LIMITS);
    });
  }

  it('with the default limits, recursion and empty infinite loops stop quickly too', () => {
    for (const body of ['function f(){return f()}; f()', 'for(;;){}', 'while(true){}']) {
      const { result, ms } = analyse(path.join(dir, 'defaults.ts'), body, DEFAULT_LIMITS);
      assert.ok(hasBound(result), body);
      assert.ok(ms < 3_000, `${body}: ${ms.toFixed(0)} ms`);
    }
  });

  it('maxMillis bounds the whole file, however many builder functions loop forever', () => {
    // Only the clock can stop these: steps and loop iterations are practically unlimited.
    const limits: Limits = { maxSteps: 1e12, maxLoopIterations: 1e12, maxCallDepth: 40, maxMillis: 300 };
    const builders = Array.from({ length: 8 }, (_, i) => `export function b${i}() {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({ units: 2, inputShape: [2] }));\n  for (;;) m.add(tf.layers.dense({ units: 2 }));\n  return m;\n}\n`);
    gc();
    const { result, ms } = analyse(path.join(dir, 'builders.ts'), TF + builders.join(''), limits);
    assert.ok(hasBound(result));
    assert.ok(ms < limits.maxMillis + SLACK_MS, `${ms.toFixed(0)} ms for 8 looping builders`);
  });
});

describe(`robustness: ${MUTANTS} seeded mutants of the fixtures, samples and built-in sources (seed ${SEED})`, () => {
  it('never throw, always answer, finish within their bound, keep memory bounded', () => {
    const sources = corpus();
    assert.ok(sources.length >= Object.keys(INLINE_SOURCES).length);
    gc();
    const heapStart = process.memoryUsage().heapUsed;
    const failures: string[] = [];
    const byMutation = new Map<string, number>();
    let bounded = 0;
    let slowest = 0;
    // Caught engine exceptions are not failures (the file still gets an answer) but are worth a look.
    const internalErrors = new Map<string, number>();
    for (let i = 0; i < MUTANTS; i++) {
      const src = sources[i % sources.length];
      // Each mutant: one to three mutations in a row, from its own seed so it reproduces alone.
      const mutantSeed = (SEED + i * 0x9e3779b1) >>> 0;
      const mrng = prng(mutantSeed);
      const ops = Array.from({ length: 1 + int(mrng, 3) }, () => pick(mrng, MUTATION_NAMES));
      let text = src.text;
      for (const op of ops) text = MUTATIONS[op](mrng, text);
      for (const op of ops) byMutation.set(op, (byMutation.get(op) ?? 0) + 1);
      try {
        const { result, ms } = analyse(src.fakePath, text, MUTANT_LIMITS);
        if (hasBound(result)) bounded++;
        for (const d of result.diagnostics) if (d.code === 'internal-error') internalErrors.set(d.message, (internalErrors.get(d.message) ?? 0) + 1);
        slowest = Math.max(slowest, ms);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        failures.push(`mutant #${i} of ${src.name} [${ops.join(' → ')}]: ${msg}${failures.length < 3 ? `\n--- mutant source (first 1500 chars) ---\n${text.slice(0, 1500)}\n---` : ''}`);
      }
      if (i % 200 === 199) gc();
    }
    gc();
    const leaked = process.memoryUsage().heapUsed - heapStart;
    const maxRss = process.resourceUsage().maxRSS * 1024;
    console.log(
      `robustness: ${MUTANTS} mutants of ${sources.length} sources, ${bounded} reached a bound, slowest ${slowest.toFixed(0)} ms, ` +
        `heap left ${(leaked / 2 ** 20).toFixed(1)} MiB, max RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB; mutations: ${[...byMutation].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `internal errors caught: ${[...internalErrors.values()].reduce((a, b) => a + b, 0)}${[...internalErrors].slice(0, 5).map(([m, n]) => `\n  ${n}× ${m}`).join('')}`,
    );
    assert.deepEqual(failures, [], `${failures.length} of ${MUTANTS} mutants failed (seed ${SEED}):\n${failures.slice(0, 10).join('\n')}`);
    assert.ok(leaked < HEAP_LEAK, `heap grew by ${(leaked / 2 ** 20).toFixed(0)} MiB over ${MUTANTS} analyses`);
    assert.ok(maxRss < MAX_RSS, `max RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  });
});
