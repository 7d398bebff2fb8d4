/**
 * The small data files of the fault-injection benchmark, generated (seeded, so every run gets
 * the same bytes) into a folder before the programs run. Each is a few hundred rows: a CSV
 * with a header and the target in the last column (what `layer-lens train --dataset x.csv`
 * reads), or a JSON {xs, ys}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

const round = (x: number, d = 4) => Number(x.toFixed(d));

/** n samples of d standard-normal features, labelled by the largest of k fixed random projections. */
function classes(rng: Rng, n: number, d: number, k: number): { x: number[][]; label: number[] } {
  const w = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.normal()));
  const x: number[][] = [];
  const label: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, () => rng.normal());
    const scores = w.map((wk) => wk.reduce((s, v, j) => s + v * row[j], 0));
    x.push(row.map((v) => round(v)));
    label.push(scores.indexOf(Math.max(...scores)));
  }
  return { x, label };
}

function csv(header: string[], rows: number[][]): string {
  return `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/** Writes every data file into `dir`; returns name → absolute path. */
export function writeBenchData(dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const put = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    files[name] = p;
  };
  const feat = (d: number) => Array.from({ length: d }, (_, j) => `x${j}`);

  // Raw 8×8 "images" as bytes 0–255: 4 classes of bright blobs plus noise.
  {
    const rng = new Rng(11);
    const templates = Array.from({ length: 4 }, () => {
      const cy = rng.next() * 8;
      const cx = rng.next() * 8;
      return Array.from({ length: 64 }, (_, p) => Math.exp(-((Math.floor(p / 8) - cy) ** 2 + ((p % 8) - cx) ** 2) / 6));
    });
    const rows: number[][] = [];
    for (let i = 0; i < 1200; i++) {
      const c = i % 4;
      rows.push([...templates[c].map((t) => Math.max(0, Math.min(255, Math.round(255 * (0.8 * t + 0.15 * rng.next()))))), c]);
    }
    put('pixels.csv', csv([...feat(64), 'label'], rows));
  }

  // Houses in raw units: area m², rooms, year built, distance to the centre in m, lot m²; price standardised.
  {
    const rng = new Rng(12);
    const rows: number[][] = [];
    const raw: number[][] = [];
    const prices: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const area = 40 + rng.next() * 260;
      const rooms = Math.max(1, Math.round(area / 35 + rng.normal()));
      const year = Math.round(1900 + rng.next() * 122);
      const dist = 200 + rng.next() * 25_000;
      const lot = area * (1 + rng.next() * 4);
      const price = 3000 * area + 8000 * rooms + 400 * (year - 1900) - 6 * dist + 30 * lot + 20_000 * rng.normal();
      raw.push([round(area, 1), rooms, year, Math.round(dist), round(lot, 1)]);
      prices.push(price);
    }
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    const std = Math.sqrt(prices.reduce((a, b) => a + (b - mean) ** 2, 0) / prices.length);
    raw.forEach((r, i) => rows.push([...r, round((prices[i] - mean) / std)]));
    put('houses.csv', csv(['area', 'rooms', 'year', 'distance', 'lot', 'price'], rows));
  }

  // Standardised features with class indices: 4 classes (labels-int), 5 (labels-5), 3 (tabular).
  {
    const a = classes(new Rng(13), 1200, 8, 4);
    put('labels-int.csv', csv([...feat(8), 'label'], a.x.map((r, i) => [...r, a.label[i]])));
    put('onehot.json', JSON.stringify({ xs: a.x, ys: a.label.map((l) => [0, 1, 2, 3].map((k) => (k === l ? 1 : 0))) }));
    const b = classes(new Rng(14), 1200, 8, 5);
    put('labels-5.csv', csv([...feat(8), 'label'], b.x.map((r, i) => [...r, b.label[i]])));
    const c = classes(new Rng(15), 1200, 8, 3);
    put('tabular.csv', csv([...feat(8), 'label'], c.x.map((r, i) => [...r, c.label[i]])));
    // The same rows with their labels permuted (a join that lost its alignment): nothing to learn.
    const shuffle = new Rng(17);
    const labels = [...c.label];
    for (let i = labels.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle.next() * (i + 1));
      [labels[i], labels[j]] = [labels[j], labels[i]];
    }
    put('shuffled-labels.csv', csv([...feat(8), 'label'], c.x.map((r, i) => [...r, labels[i]])));
  }
  // Regression targets ten times larger than unit scale (a price in tens of thousands, say): the
  // MSE gradient is 10× larger, which plain SGD at usual rates does not survive.
  {
    const rng = new Rng(16);
    const w = Array.from({ length: 8 }, () => rng.normal());
    const rows: number[][] = [];
    for (let i = 0; i < 1200; i++) {
      const x = Array.from({ length: 8 }, () => rng.normal());
      const lin = x.reduce((a, v, k) => a + v * w[k], 0) / Math.sqrt(8);
      rows.push([...x.map((v) => round(v)), round(10 * (lin + 0.5 * Math.sin(2 * x[0]) + 0.1 * rng.normal()))]);
    }
    put('regression-x10.csv', csv([...feat(8), 'y'], rows));
  }
  return files;
}
