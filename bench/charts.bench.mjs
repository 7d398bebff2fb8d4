// Chart library benchmark (`npm run bench:charts`): which library draws the training panel's
// streaming line charts. uPlot and ECharts render the same data in headless Chromium
// (/usr/bin/chromium through playwright-core, or LAYER_LENS_CHROMIUM), in the same page size
// as the panel's charts (800×260 CSS px), and the figures are printed side by side:
//
//   initial render    3 series × 100,000 points each, from nothing to a drawn canvas
//   streaming update  append 200 points to each series (100,000 → 106,000), redraw; mean / p95
//                     over 30 updates
//   decimated update  the same stream, but what the panel really hands the library: each
//                     series min/max-decimated to ≤ 2 points per pixel column (≤ 1,600 points;
//                     src/webview/training/decimate.ts) before every redraw, decimation included
//   panel update      the whole training page's redraw for one batch of events with 50 layers
//                     (loss/metric/lr charts, the layers × steps heatmap, the activation view),
//                     when the page bundle (dist/webview/training.js, or BENCH_PANEL_BUNDLE)
//                     exists (`npm run build`); see panelUpdate below
//
// Each library figure is the time from the data change until the library has drawn its
// canvas: what it does synchronously, plus work it defers (uPlot commits in a microtask;
// ECharts' zrender is flushed explicitly), measured after an idle animation frame so updates
// do not overlap. Nothing asserts on time; the README and docs/training.md quote the figures.
// BENCH_LIBS=0 skips the library comparison (only the panel update).
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.LAYER_LENS_CHROMIUM || '/usr/bin/chromium';
const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 30);
const APPEND = 200;
const SERIES = 3;

const lib = (p) => readFileSync(join(ROOT, 'node_modules', p), 'utf8');

/** The page's own harness: data generation, timing, and the two libraries' drivers. */
async function harness() {
  const out = await build({
    stdin: {
      contents: `
        import { decimateMinMax } from './src/webview/training/decimate.ts';
        window.decimateMinMax = decimateMinMax;
      `,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
  });
  return out.outputFiles[0].text;
}

const pageScript = `
const W = 800, H = 260;
function series(n, k) {
  const x = new Float64Array(n), ys = [];
  for (let s = 0; s < k; s++) ys.push(new Float64Array(n));
  for (let i = 0; i < n; i++) {
    x[i] = i + 1;
    for (let s = 0; s < k; s++) ys[s][i] = (2.3 + s) * Math.exp(-i / (n / 4)) + 0.15 * Math.sin(i / 37 + s) + 0.1 * Math.random();
  }
  return { x, ys };
}
function grow(d, m) {
  const n = d.x.length;
  const x = new Float64Array(n + m);
  x.set(d.x);
  const ys = d.ys.map((y) => { const z = new Float64Array(n + m); z.set(y); return z; });
  for (let i = n; i < n + m; i++) {
    x[i] = i + 1;
    for (let s = 0; s < ys.length; s++) ys[s][i] = 0.3 * Math.exp(-i / 1e6) + 0.1 * Math.random();
  }
  return { x, ys };
}
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
/** Until the library has drawn: uPlot commits in a microtask; ECharts' zrender is flushed. */
async function settle(chart, name) {
  await Promise.resolve();
  await Promise.resolve();
  if (name === 'echarts') chart.getZr().flush();
}
function box() {
  document.body.innerHTML = '';
  const el = document.createElement('div');
  el.style.width = W + 'px'; el.style.height = H + 'px';
  document.body.append(el);
  return el;
}
function decimated(d) {
  const out = decimateMinMax(d.x, d.ys, { buckets: W });
  return out;
}
const drivers = {
  uplot: {
    create(el, d) {
      const opts = { width: W, height: H, scales: { x: { time: false } }, series: [{}, ...d.ys.map((_, i) => ({ label: 's' + i, stroke: ['#3794ff', '#f14c4c', '#89d185'][i % 3], width: 1, points: { show: false } }))], legend: { show: false }, cursor: { drag: { x: true } } };
      return new uPlot(opts, [d.x, ...d.ys], el);
    },
    update(c, d) { c.setData([d.x, ...d.ys]); },
    destroy(c) { c.destroy(); },
  },
  echarts: {
    create(el, d) {
      const c = echarts.init(el, null, { renderer: 'canvas', width: W, height: H });
      c.setOption(this.option(d));
      return c;
    },
    option(d) {
      return {
        animation: false,
        grid: { left: 40, right: 10, top: 10, bottom: 24 },
        xAxis: { type: 'value', min: 'dataMin', max: 'dataMax' },
        yAxis: { type: 'value', scale: true },
        tooltip: { trigger: 'axis', showContent: false },
        series: d.ys.map((y, s) => {
          const data = new Array(d.x.length);
          for (let i = 0; i < d.x.length; i++) data[i] = [d.x[i], y[i]];
          return { type: 'line', data, showSymbol: false, sampling: 'lttb', large: true, lineStyle: { width: 1 } };
        }),
      };
    },
    update(c, d) { c.setOption({ series: this.option(d).series }); },
    destroy(c) { c.dispose(); },
  },
};
window.bench = async (name, points, updates, append, k, mode) => {
  const drv = drivers[name];
  let d = series(points, k);
  const el = box();
  await frame();
  const t0 = performance.now();
  const chart = drv.create(el, mode === 'decimated' ? decimated(d) : d);
  await settle(chart, name);
  const initial = performance.now() - t0;
  const times = [];
  for (let u = 0; u < updates; u++) {
    d = grow(d, append);
    await frame();
    const t = performance.now();
    drv.update(chart, mode === 'decimated' ? decimated(d) : d);
    await settle(chart, name);
    times.push(performance.now() - t);
  }
  drv.destroy(chart);
  times.sort((a, b) => a - b);
  return { initial, mean: times.reduce((a, b) => a + b, 0) / times.length, p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] };
};
`;

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set LAYER_LENS_CHROMIUM)`);
    process.exit(1);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 })).newPage();
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addStyleTag({ content: lib('uplot/dist/uPlot.min.css') });
    await page.addScriptTag({ content: lib('uplot/dist/uPlot.iife.min.js') });
    await page.addScriptTag({ content: lib('echarts/dist/echarts.min.js') });
    await page.addScriptTag({ content: await harness() });
    await page.addScriptTag({ content: pageScript });
    const versions = {
      uplot: JSON.parse(lib('uplot/package.json')).version,
      echarts: JSON.parse(lib('echarts/package.json')).version,
    };
    const browserVersion = browser.version();
    console.log(`Chart benchmark — Chromium ${browserVersion} headless, ${SERIES} series × ${POINTS.toLocaleString('en-US')} points, ${UPDATES} streaming updates of +${APPEND} points per series`);
    console.log(`uPlot ${versions.uplot}, ECharts ${versions.echarts} (canvas renderer, animation off, showSymbol off, sampling 'lttb', large)\n`);
    const rows = [];
    for (const mode of process.env.BENCH_LIBS === '0' ? [] : ['raw', 'decimated']) {
      const r = {};
      // Warm-up (JIT, fonts), then the measured run.
      for (const name of ['uplot', 'echarts']) await page.evaluate(([n, m]) => window.bench(n, 5000, 3, 100, 3, m), [name, mode]);
      for (const name of ['uplot', 'echarts']) r[name] = await page.evaluate(([n, p, u, a, k, m]) => window.bench(n, p, u, a, k, m), [name, POINTS, UPDATES, APPEND, SERIES, mode]);
      rows.push([mode, r]);
    }
    const f = (x) => `${x.toFixed(1)} ms`;
    const table = [
      ['', 'uPlot', 'ECharts', 'ECharts / uPlot'],
      ...rows.flatMap(([mode, r]) => [
        [`${mode === 'raw' ? 'all points' : 'decimated'}: initial render`, f(r.uplot.initial), f(r.echarts.initial), `${(r.echarts.initial / r.uplot.initial).toFixed(1)}×`],
        [`${mode === 'raw' ? 'all points' : 'decimated'}: update, mean`, f(r.uplot.mean), f(r.echarts.mean), `${(r.echarts.mean / Math.max(r.uplot.mean, 0.05)).toFixed(1)}×`],
        [`${mode === 'raw' ? 'all points' : 'decimated'}: update, p95`, f(r.uplot.p95), f(r.echarts.p95), `${(r.echarts.p95 / Math.max(r.uplot.p95, 0.05)).toFixed(1)}×`],
      ]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    if (rows.length > 0) {
      for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   '));
      console.log('\n(time from the data change until the library has drawn the canvas: its synchronous work, its deferred commit — uPlot — and a forced zrender flush — ECharts; "decimated" includes the decimation itself)');
    }

    const bundle = process.env.BENCH_PANEL_BUNDLE || join(ROOT, 'dist', 'webview', 'training.js');
    if (existsSync(bundle) && process.env.BENCH_PANEL !== '0') {
      const panel = await panelUpdate(browser, bundle);
      if (panel) {
        const g = (x) => `${x.toFixed(1)} ms`;
        const line = (s) => `mean ${g(s.mean)}, median ${g(s.median)}, p95 ${g(s.p95)}`;
        console.log(`\nTraining panel, 50 layers, ${PANEL_STEPS.toLocaleString('en-US')} steps loaded: one update (a batch of step, layer-stats and activations events → every chart redrawn), ${PANEL_UPDATES} updates:`);
        console.log(`  until drawn and laid out: ${line(panel)} (target ≤ 4 ms)`);
        console.log(`  until painted:            ${line(panel.painted)} (adds the browser's paint and the rasterisation of the canvases)`);
        if (panel.cpu) {
          console.log(`  main-thread CPU time, traced (the time the page's thread ran: unaffected by other load on the machine):`);
          console.log(`    until drawn and laid out: ${line(panel.cpu.drawn)}`);
          console.log(`    until painted:            ${line(panel.cpu.painted)}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
}

const PANEL_STEPS = 100_000;
const PANEL_UPDATES = Number(process.env.BENCH_PANEL_UPDATES ?? 200);

/**
 * The real training page (dist/webview/training.js) with a fake VS Code API: a 50-layer run
 * of 100,000 steps is loaded, then events arrive in batches, one per animation frame, through
 * the page's own message path; the page times each update (its benchmark hook in main.ts):
 *
 *   until drawn and laid out  validating and folding the events, then everything the page
 *                             runs in the next animation frame (the redraw, work continued from
 *                             earlier updates such as activation strips), the microtasks it
 *                             queues (uPlot draws in one) and the style and layout it causes
 *   until painted             the same frame until the browser has painted it (wall clock:
 *                             includes the rasterisation of the canvases, and any time the
 *                             page's thread waited for the CPU)
 *
 * A second run of the page is traced: per update, the CPU time of the page's main thread for
 * the same two spans (thread time: robust on a shared machine, where the wall clock also counts
 * the time other jobs held the CPU). BENCH_PANEL_UPDATES sets the number of updates (200),
 * BENCH_TRACE=0 skips the traced run.
 */
async function panelUpdate(browser, bundle) {
  const open = async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const css = join(dirname(bundle), 'training.css');
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main id="app"></main></body></html>');
    if (existsSync(css)) await page.addStyleTag({ content: readFileSync(css, 'utf8') });
    await page.addScriptTag({
      content: `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} }); window.__layerLensBench = true;`,
    });
    await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
    return page;
  };
  const run = (page) =>
    page.evaluate(async ([steps, updates]) => {
      const bench = window.__layerLensBench;
      if (typeof bench !== 'object' || !bench) return null;
      return bench.run({ layers: 50, steps, updates });
    }, [PANEL_STEPS, PANEL_UPDATES]);
  const page = await open();
  const result = await run(page);
  await page.close();
  if (!result || process.env.BENCH_TRACE === '0') return result;
  const traced = await open();
  await browser.startTracing(traced, { categories: ['toplevel', 'devtools.timeline', 'blink.user_timing'] });
  await run(traced);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await traced.close();
  result.cpu = cpuPerUpdate(trace.traceEvents);
  return result;
}

/**
 * Per update (between the hook's marks), the thread time of the page's main thread: until drawn
 * and laid out, the task that takes the events in and the frame's callbacks (with their
 * microtasks and the layout the hook forces); until painted, every task up to the painted mark.
 */
function cpuPerUpdate(events) {
  const threads = new Map();
  for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const main = (e) => e.ph === 'X' && threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain';
  const marks = new Map();
  for (const e of events) if (e.name?.startsWith('layer-lens-update-') && e.ph !== 'e') marks.set(e.name, e.ts);
  // The page's tasks (outermost), and its animation-frame callbacks.
  const tasks = [];
  let end = -Infinity;
  for (const e of events.filter((x) => x.name === 'ThreadControllerImpl::RunTask' && main(x)).sort((a, b) => a.ts - b.ts)) {
    if (e.ts < end) continue;
    tasks.push(e);
    end = e.ts + e.dur;
  }
  const callbacks = events.filter((x) => x.name === 'FireAnimationFrame' && main(x));
  // Thread time, never more than the wall time (the thread clock can jump ahead of it, seen in VMs).
  const cpu = (e) => Math.min(e.tdur ?? e.dur, e.dur) / 1000;
  const drawn = [];
  const painted = [];
  for (let u = 0; marks.has(`layer-lens-update-${u}`); u++) {
    const from = marks.get(`layer-lens-update-${u}`);
    const to = marks.get(`layer-lens-update-${u}-painted`);
    if (to === undefined) break;
    let d = 0;
    let p = 0;
    for (const t of tasks) {
      if (t.ts <= from && from < t.ts + t.dur) d += cpu(t);
      // A task at either end of the update counts for the part of it inside.
      const inside = Math.min(to, t.ts + t.dur) - Math.max(from, t.ts);
      if (inside > 0 && t.dur > 0) p += cpu(t) * (inside / t.dur);
    }
    for (const c of callbacks) if (c.ts >= from && c.ts < to) d += cpu(c);
    drawn.push(d);
    painted.push(p);
  }
  if (drawn.length === 0) return null;
  const stats = (v) => {
    const a = [...v].sort((x, y) => x - y);
    const q = (p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
    return { mean: a.reduce((x, y) => x + y, 0) / a.length, median: q(0.5), p95: q(0.95), max: a[a.length - 1] };
  };
  return { drawn: stats(drawn), painted: stats(painted) };
}

await main();
