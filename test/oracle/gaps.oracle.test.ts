/**
 * Oracle for idioms seen in real projects (test/fixtures/gaps/): `inputShape` given as a
 * number, every spelling of the tfjs import, command-line defaults (process.argv, argparse,
 * commander, yargs, minimist), data-loading loops before the builder, properties of built
 * layers, models and tensors, and models derived from other models.
 *
 * Real tfjs runs each fixture as a program (its top level with the default command line,
 * `node fixture.js`), and every model it exports (a model value, or a builder with no
 * required parameters) is compared, layer by layer, with the engine's analysis of the file.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis, ModelGraph } from '../../src/analysis/graph';
import { REPO_ROOT, compareFacts, engineModelFacts, findEngineModel, tfjsModelFacts, withFastInitializers } from './model-oracle';

const DIR = 'test/fixtures/gaps';

interface Fixture {
  /** The engine reads the file with these replacements (e.g. another tfjs package name). */
  engineText?: [string, string][];
}

const FIXTURES: Record<string, Fixture> = {
  'input-shape-number.ts': {},
  'default-import.ts': {},
  'default-import-plain.ts': {},
  'destructured-require.js': {},
  'node-namespace.ts': { engineText: [["from '@tensorflow/tfjs'", "from '@tensorflow/tfjs-node'"]] },
  'argv-defaults.ts': {},
  'argparse-v1.js': {},
  'commander-options.ts': {},
  'yargs-options.js': {},
  'minimist-defaults.mjs': {},
  'model-subclass.ts': {},
  'global-model.js': {},
};

/** Runs the fixture as `node <file>` would (no arguments) and returns the models it exports, by export name. */
async function tfjsModels(file: string): Promise<Map<string, tf.LayersModel>> {
  const abs = path.resolve(REPO_ROOT, file);
  const savedArgv = process.argv;
  process.argv = [process.execPath, abs];
  let mod: Record<string, unknown>;
  try {
    mod = (await withFastInitializers(() => import(pathToFileURL(abs).href))) as Record<string, unknown>;
  } finally {
    process.argv = savedArgv;
  }
  // A CommonJS module's exports arrive as `default` (and, where detectable, as names too).
  const all = { ...((mod.default as Record<string, unknown> | undefined) ?? {}), ...mod };
  const out = new Map<string, tf.LayersModel>();
  for (const [k, v] of Object.entries(all)) {
    if (k === 'default' || /^[A-Z]/.test(k)) continue;
    if (v instanceof tf.LayersModel) out.set(k, v);
    else if (typeof v === 'function' && v.length === 0) {
      const built = withFastInitializers(() => (v as () => unknown)());
      if (built instanceof tf.LayersModel) out.set(k, built);
    }
  }
  return out;
}

function analyse(file: string, fixture: Fixture): FileAnalysis {
  const abs = path.resolve(REPO_ROOT, file);
  let text = fs.readFileSync(abs, 'utf8');
  for (const [from, to] of fixture.engineText ?? []) text = text.split(from).join(to);
  return analyzeFiles([abs], { contents: new Map([[abs, text]]) })[0];
}

const errorsOf = (a: FileAnalysis, m?: ModelGraph) =>
  [...a.diagnostics, ...(m?.diagnostics ?? [])].filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);

describe('idioms of real projects agree with tfjs', () => {
  for (const [name, fixture] of Object.entries(FIXTURES)) {
    describe(name, () => {
      const file = `${DIR}/${name}`;
      it('every exported model is the one tfjs builds', async () => {
        const models = await tfjsModels(file);
        assert.ok(models.size > 0, `${file} exports no model tfjs builds`);
        const analysis = analyse(file, fixture);
        const problems: string[] = [];
        for (const [exported, built] of models) {
          const theirs = tfjsModelFacts(built);
          let graph: ModelGraph;
          try {
            graph = findEngineModel(file, analysis, exported);
          } catch (e) {
            problems.push(e instanceof Error ? e.message : String(e));
            continue;
          }
          problems.push(...compareFacts(engineModelFacts(graph), theirs).map((p) => `${exported}: ${p}`));
          problems.push(...errorsOf(analysis, graph).map((p) => `${exported}: engine error tfjs does not raise: ${p}`));
        }
        assert.deepEqual(problems, []);
      });
    });
  }
});
