/**
 * Whole-program oracle: small multi-file projects under test/fixtures/projects/ (a builder
 * in one file, its arguments in another, a config, a test) whose entry files export the
 * models they build. Real tfjs runs the entry files; the engine analyses the project
 * statically, file by file and as a whole, in several orders. Each file's report must be
 * the same whatever was named and in whatever order, and every model the report lists
 * must be the one tfjs builds in that context, layer by layer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis, ModelGraph } from '../../src/analysis/graph';
import { summaryJson } from '../../src/cli/main';
import { type ModelFacts, REPO_ROOT, compareFacts, engineModelFacts, tfjsModelFacts } from './model-oracle';

const PROJECTS = path.join(REPO_ROOT, 'test', 'fixtures', 'projects');

interface Project {
  /** The engine's name for a model → the name the entry file exports it under, where they differ. */
  names?: Record<string, string>;
  /** Alternatives decided by an environment variable: the variable and how a condition names its value. */
  alternatives?: { env: string; value: RegExp; entry: string };
  /** Models whose sizes no code of the project decides: they must be unknown, never a number. */
  unknown?: string[];
}

const PROJECTS_SEEN: Record<string, Project> = {
  'cross-file': {},
  'two-instances': {},
  'builder-class': {},
  'method-elsewhere': {},
  commonjs: { names: { createModel: 'model' } },
  'filled-elsewhere': {},
  'library-only': { unknown: ['model'] },
  'run-time-switch': { alternatives: { env: 'RNN_TYPE', value: /^rnnType = '(\w+)'$/, entry: 'main.ts' } },
  'else-if-chain': { alternatives: { env: 'MODEL_TYPE', value: /^modelType = '(\w+)'$/, entry: 'train.js' } },
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.[cm]?[jt]s$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** A seeded shuffle, so a failing order can be replayed. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Each file's report as the CLI's JSON, keyed by file. */
function reports(order: string[]): Map<string, string> {
  const results = analyzeFiles(order);
  const json = summaryJson(order, results);
  return new Map(json.files.map((f) => [f.file, JSON.stringify(f)]));
}

/** The facts of the first model `entry` exports, built by real tfjs in a process of its own with `env` set. */
function factsInChild(entry: string, env: Record<string, string>): ModelFacts | undefined {
  const oracle = pathToFileURL(path.join(__dirname, 'model-oracle.ts')).href;
  const code =
    `const oracle = await import(${JSON.stringify(oracle)}); const { tfjsModelFacts } = oracle.default ?? oracle;` +
    `const mod = await import(${JSON.stringify(pathToFileURL(entry).href)});` +
    `const m = Object.values({ ...mod, ...(mod.default ?? {}) }).find((v) => typeof v?.countParams === 'function' && Array.isArray(v.layers));` +
    `process.stdout.write(JSON.stringify(m ? tfjsModelFacts(m) : null));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as ModelFacts | null) ?? undefined;
}

/** The models the entry files export, by export name, built by real tfjs. */
async function builtModels(files: string[]): Promise<Map<string, tf.LayersModel>> {
  const out = new Map<string, tf.LayersModel>();
  for (const f of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(f).href)) as Record<string, unknown>;
    } catch {
      continue; // A file that needs run-time input: its models are checked through the alternatives.
    }
    // ES exports, or CommonJS `module.exports = { … }` (a model exported as the whole module has no name of its own).
    const cjs = mod.default;
    const exported = { ...mod, ...(cjs && typeof cjs === 'object' && !(cjs instanceof tf.LayersModel) ? (cjs as Record<string, unknown>) : {}) };
    for (const [name, v] of Object.entries(exported)) if (name !== 'default' && v instanceof tf.LayersModel) out.set(name, v);
  }
  return out;
}

for (const [name, project] of Object.entries(PROJECTS_SEEN)) {
  const dir = path.join(PROJECTS, name);
  const files = sources(dir);

  describe(`project ${name}`, () => {
    it('reports every file the same way whatever files are named, and in any order', () => {
      const whole = reports(files);
      const orders = [[...files].reverse(), shuffled(files, 1), shuffled(files, 7), shuffled(files, 42)];
      for (const order of orders) {
        const r = reports(order);
        for (const f of files) assert.equal(r.get(f), whole.get(f), `${path.relative(dir, f)} in the order ${order.map((o) => path.relative(dir, o)).join(', ')}`);
      }
      for (const f of files) assert.equal(reports([f]).get(f), whole.get(f), `${path.relative(dir, f)} alone`);
    });

    it('lists each model the project builds, as tfjs builds it, and nothing else', async () => {
      tf.setBackend('cpu');
      const analyses: FileAnalysis[] = analyzeFiles(files);
      const models = analyses.flatMap((a) => a.models);
      const truth = await builtModels(files);
      const matched = new Set<string>();
      const check = (engine: ModelGraph, real: tf.LayersModel, label: string) => {
        const diff = compareFacts(engineModelFacts(engine), tfjsModelFacts(real));
        assert.deepEqual(diff, [], `${label}:\n${diff.join('\n')}`);
      };
      for (const m of models) {
        if (m.alternatives) {
          // The base of run-time alternatives: its own numbers are the shared part only.
          assert.ok(m.alternatives.length > 0, `${m.name}: ${JSON.stringify(m.diagnostics)}`);
          assert.equal(m.totals.total, null);
          continue;
        }
        const condition = m.variant?.condition;
        if (condition !== undefined) {
          const alt = project.alternatives;
          assert.ok(alt, `${m.name}: an alternative where none is expected`);
          const value = alt.value.exec(condition)?.[1];
          assert.ok(value, `${m.name}: condition "${condition}"`);
          const real = factsInChild(path.join(dir, alt.entry), { [alt.env]: value });
          assert.ok(real, `tfjs builds no model with ${alt.env}=${value}`);
          const diff = compareFacts(engineModelFacts(m), real);
          assert.deepEqual(diff, [], `${m.name} (${alt.env}=${value}):\n${diff.join('\n')}`);
          continue;
        }
        if (project.unknown?.includes(m.name)) {
          assert.equal(m.totals.total, null, `${m.name}: no code decides its size`);
          continue;
        }
        const exportName = project.names?.[m.name] ?? m.name;
        const real = truth.get(exportName);
        assert.ok(real, `the engine reports ${m.name}, which no entry file exports (they export ${[...truth.keys()].join(', ')})`);
        check(m, real, m.name);
        matched.add(exportName);
      }
      assert.deepEqual([...truth.keys()].filter((n) => !matched.has(n)), [], `models tfjs builds that the engine does not report (it reports ${models.map((m) => m.name).join(', ')})`);
    });
  });
}
