/**
 * `npm run bench:health` — the training-health fault-injection benchmark (issue 5).
 *
 * Every program of programs.ts is trained for real by `layer-lens train` (the worker process,
 * the wasm backend, ≤ 300 steps) and judged by the findings at the start of its final JSON line,
 * exactly as a user or a held-out check would read them from a terminal:
 *
 *   * a faulty program is detected when a finding of its category's codes is reported at
 *     warning or error severity (a symptom left out because its cause was reported does not
 *     count); steps to detection is that finding's `step`; the target is ≤ 200 steps. It is
 *     detected first when no warning or error of another category came at an earlier step
 *     (the "first" column: the user's first sign of trouble names the fault);
 *   * a healthy program has a false positive for each warning or error finding. Info findings
 *     are listed but not counted: they say something true that needs no action (a layer frozen
 *     on purpose does not change).
 *
 * Prints per-program results, per-category recall, false positives and steps to detection.
 *
 *   npm run bench:health                     every program, seed 1
 *   npm run bench:health -- dead-relu        programs whose name contains any of the words
 *   npm run bench:health -- --seeds 1,2,3    each program once per seed (tfjs's initialisers and the data)
 *   npm run bench:health -- --verbose        every finding of every run
 *   npm run bench:health -- --jobs 1         one run at a time (default 2)
 *
 * Exit code 1 when a target is missed (recall < 90% overall or in a category, a false
 * positive, a detection after step 200).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrain } from '../../src/training/cli-train';
import { writeBenchData } from './data';
import { CATEGORIES, PROGRAMS, type Category, type Program } from './programs';

interface FindingOut {
  code: string;
  severity: 'error' | 'warning' | 'info';
  layers: string[];
  line: number | null;
  step: number;
  message: string;
}

interface Outcome {
  program: Program;
  seed: number;
  status: string;
  findings: FindingOut[];
  /** Faulty: the step of the finding that counts; undefined when missed. */
  detectedAt?: number;
  /** Faulty: a warning or error of another category came before it. */
  otherFirst?: FindingOut;
  /** Healthy: warning/error findings. */
  falsePositives: FindingOut[];
  ms: number;
  error?: string;
}

const TARGET_RECALL = 0.9;
const TARGET_STEPS = 200;

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seeds = (opt('--seeds') ?? '1').split(',').map(Number);
const jobs = Number(opt('--jobs') ?? 2);
const words = argv.filter((a, i) => !a.startsWith('--') && !['--seeds', '--jobs'].includes(argv[i - 1] ?? ''));
const selected = PROGRAMS.filter((p) => words.length === 0 || words.some((w) => p.name.includes(w)));

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-lens-bench-health-'));
const data = writeBenchData(path.join(tmp, 'data'));

async function runOne(p: Program, seed: number): Promise<Outcome> {
  const file = path.join(__dirname, 'programs', `${p.name}.ts`);
  const dataset = p.dataset.startsWith('@') ? data[p.dataset.slice(1)] : p.dataset;
  if (!dataset) throw new Error(`${p.name}: no data file ${p.dataset}`);
  const out = path.join(tmp, 'runs', `${p.name}-${seed}`);
  const args = [file, '--backend', 'wasm', '--dataset', dataset, '--steps', String(p.steps), '--seed', String(seed), '--out', out, '--json', ...(p.args ?? [])];
  let stdout = '';
  let stderr = '';
  const t0 = Date.now();
  await runTrain(args, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) }, { cwd: ROOT });
  const ms = Date.now() - t0;
  const last = stdout.trim().split('\n').pop() ?? '';
  let final: { status?: string; findings?: FindingOut[]; error?: { message: string } };
  try {
    final = JSON.parse(last);
  } catch {
    return { program: p, seed, status: 'no-json', findings: [], falsePositives: [], ms, error: stderr.trim().split('\n').slice(-3).join(' | ') };
  }
  const findings = final.findings ?? [];
  const actionable = findings.filter((f) => f.severity !== 'info');
  const outcome: Outcome = { program: p, seed, status: final.status ?? '?', findings, falsePositives: [], ms, ...(final.error ? { error: final.error.message } : {}) };
  if (p.fault) {
    const codes: readonly string[] = CATEGORIES[p.fault];
    const hits = actionable.filter((f) => codes.includes(f.code));
    if (hits.length > 0) outcome.detectedAt = Math.min(...hits.map((f) => f.step));
    const before = actionable.filter((f) => !codes.includes(f.code) && (outcome.detectedAt === undefined || f.step < outcome.detectedAt)).sort((a, b) => a.step - b.step);
    if (outcome.detectedAt !== undefined && before.length > 0) outcome.otherFirst = before[0];
  } else outcome.falsePositives = actionable;
  return outcome;
}

async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, n) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function short(f: FindingOut): string {
  return `${f.code}${f.severity === 'error' ? '!' : f.severity === 'info' ? '(i)' : ''}@${f.step}`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const tasks = seeds.flatMap((seed) => selected.map((p) => ({ p, seed })));
  console.log(`training-health benchmark: ${selected.filter((p) => p.fault).length} faulty + ${selected.filter((p) => !p.fault).length} healthy programs × ${seeds.length} seed(s), wasm backend, ${jobs} at a time`);
  const outcomes = await pool(tasks, jobs, async ({ p, seed }) => {
    const o = await runOne(p, seed);
    const verdict = p.fault
      ? o.detectedAt !== undefined
        ? `detected at step ${o.detectedAt}${o.otherFirst ? ` (after ${short(o.otherFirst)})` : ''}`
        : 'MISSED'
      : o.falsePositives.length
        ? `FALSE POSITIVE: ${o.falsePositives.map(short).join(', ')}`
        : 'clean';
    console.log(`  ${pad(`${p.name}${seeds.length > 1 ? ` #${seed}` : ''}`, 36)} ${pad(p.fault ?? 'healthy', 26)} ${pad(verdict, 24)} ${(o.ms / 1000).toFixed(1)} s  [${o.findings.map(short).join(', ')}]${o.error ? `  (${o.status}: ${o.error.slice(0, 120)})` : ''}`);
    if (verbose) for (const f of o.findings) console.log(`      ${f.severity} ${f.code} step ${f.step}${f.layers.length ? ` ${f.layers.join(',')}` : ''}${f.line ? ` line ${f.line}` : ''}: ${f.message}`);
    return o;
  });

  // Per category
  const faulty = outcomes.filter((o) => o.program.fault);
  const healthy = outcomes.filter((o) => !o.program.fault);
  console.log('\n| category | programs | detected | recall | detected first | steps to detection (median, max) |');
  console.log('|---|---|---|---|---|---|');
  let missedTarget = false;
  for (const cat of Object.keys(CATEGORIES) as Category[]) {
    const runs = faulty.filter((o) => o.program.fault === cat);
    if (runs.length === 0) continue;
    const hit = runs.filter((o) => o.detectedAt !== undefined);
    const steps = hit.map((o) => o.detectedAt!).sort((a, b) => a - b);
    const recall = hit.length / runs.length;
    if (recall < TARGET_RECALL || steps.some((s) => s > TARGET_STEPS)) missedTarget = true;
    const med = steps.length ? steps[Math.floor((steps.length - 1) / 2)] : undefined;
    const first = hit.filter((o) => !o.otherFirst).length;
    console.log(`| ${cat} | ${runs.length} | ${hit.length} | ${Math.round(recall * 100)}% | ${first} | ${med === undefined ? '—' : `${med}, ${steps[steps.length - 1]}`} |`);
  }
  const hits = faulty.filter((o) => o.detectedAt !== undefined);
  const overall = faulty.length ? hits.length / faulty.length : 1;
  const allSteps = hits.map((o) => o.detectedAt!).sort((a, b) => a - b);
  console.log(`| **all faulty** | ${faulty.length} | ${hits.length} | ${Math.round(overall * 100)}% | ${hits.filter((o) => !o.otherFirst).length} | ${allSteps.length ? `${allSteps[Math.floor((allSteps.length - 1) / 2)]}, ${allSteps[allSteps.length - 1]}` : '—'} |`);
  const fp = healthy.filter((o) => o.falsePositives.length > 0);
  const infos = healthy.flatMap((o) => o.findings.filter((f) => f.severity === 'info').map((f) => `${o.program.name}: ${f.code}`));
  console.log(`\nhealthy programs: ${healthy.length}, with a false positive (warning/error): ${fp.length}${fp.length ? ` (${fp.map((o) => o.program.name).join(', ')})` : ''}`);
  console.log(`info findings on healthy programs (not counted): ${infos.length ? infos.join('; ') : 'none'}`);
  console.log(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (overall < TARGET_RECALL || fp.length > 0) missedTarget = true;
  console.log(missedTarget ? 'targets: MISSED' : `targets met: recall ≥ ${TARGET_RECALL * 100}% overall and per category, no false positive, every detection within ${TARGET_STEPS} steps`);
  return missedTarget ? 1 : 0;
}

main()
  .then((code) => {
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  })
  .catch((e) => {
    console.error(e);
    process.exit(2);
  });
