/**
 * The command line of the default run (`node script`, no arguments): defaults of argparse 2.x
 * (not installed here, so its model is checked against tfjs given the defaults argparse
 * documents), and the honest cases: an argument with no default stays unknown — never an
 * error, never a guessed number — and a list parsed from somewhere else is not the command line.
 * The installed parsers (argparse 1.x, commander, yargs, minimist) are run for real in
 * test/oracle/gaps.oracle.test.ts.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyzeFiles } from '../../src/analysis/engine';
import type { FileAnalysis } from '../../src/analysis/graph';

tf.setBackend('cpu');

const DIR = path.resolve(__dirname, '..', '__virtual__', 'cli-defaults');
const TF = "import * as tf from '@tensorflow/tfjs';\n";

function one(name: string, text: string): FileAnalysis {
  const file = path.join(DIR, name);
  return analyzeFiles([file], { contents: new Map([[file, text]]) })[0];
}

const errors = (r: FileAnalysis) => [...r.diagnostics, ...r.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);

function facts(m: tf.LayersModel) {
  return { layers: m.layers.map((l) => ({ className: l.getClassName(), outputShape: l.outputShape, params: l.countParams() })), total: m.countParams() };
}

describe('command-line defaults of the default run', () => {
  it('argparse 2.x: add_argument defaults (a string converted by its int type), store_true false, parse_args()', () => {
    const body =
      `  const model = tf.sequential();\n` +
      `  model.add(tf.layers.dense({ inputShape: [args.input_size], units: args.units, activation: 'relu' }));\n` +
      `  if (args.deep) model.add(tf.layers.dense({ units: args.units }));\n` +
      `  model.add(tf.layers.dense({ units: args.classes ?? 2 }));\n` +
      `  return model;\n`;
    const r = one(
      'argparse2.ts',
      `${TF}import { ArgumentParser } from 'argparse';\n` +
        `const parser = new ArgumentParser({ description: 'x' });\n` +
        `parser.add_argument('--units', { type: 'int', default: 32 });\n` +
        `parser.add_argument('-i', '--input-size', { type: 'int', default: '9' });\n` +
        `parser.add_argument('--deep', { action: 'store_true' });\n` +
        `parser.add_argument('--classes', { type: 'int' });\n` +
        `const args = parser.parse_args();\n` +
        `export function build() {\n${body}}\n`,
    );
    assert.deepEqual(errors(r), []);
    const m = r.models.find((x) => x.name === 'model');
    assert.ok(m);
    // What argparse 2 gives in the default run: its documented defaults, an int type applied to '9'.
    const args = { units: 32, input_size: 9, deep: false, classes: undefined };
    const ref = new Function('tf', 'args', body)(tf, args) as tf.LayersModel;
    assert.deepEqual(
      { layers: m.layers.map((l) => ({ className: l.className, outputShape: l.outputShape, params: l.params.total })), total: m.totals.total },
      JSON.parse(JSON.stringify(facts(ref))),
    );
  });

  it('an argument with no default used as a size is unknown, not an error and not a number', () => {
    const r = one(
      'no-default.ts',
      `${TF}const units = parseInt(process.argv[2], 10);\n` +
        `const n = process.argv.length > 3 ? 8 : 4;\n` +
        `export const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [n], units }));\n`,
    );
    assert.deepEqual(errors(r), []);
    const m = r.models[0];
    assert.ok(m);
    assert.equal(m.layers[0].params.total, null);
    assert.equal(m.totals.total, null);
  });

  it('an option without a default read from commander, yargs or minimist stays unknown', () => {
    const r = one(
      'no-defaults.js',
      `const tf = require('@tensorflow/tfjs');\nconst { program } = require('commander');\nconst minimist = require('minimist');\nconst yargs = require('yargs');\n` +
        `program.option('--units <n>', 'units').parse();\nconst a = program.opts();\nconst b = minimist(process.argv.slice(2));\nconst c = yargs.option('units', { type: 'number' }).argv;\n` +
        `const m1 = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: a.units })] });\n` +
        `const m2 = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: b.units })] });\n` +
        `const m3 = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: c.units })] });\n` +
        `module.exports = { m1, m2, m3 };\n`,
    );
    assert.deepEqual(errors(r), []);
    assert.deepEqual(
      r.models.map((m) => [m.name, m.totals.total]),
      [
        ['m1', null],
        ['m2', null],
        ['m3', null],
      ],
    );
  });

  it('a list that is not the command line is not parsed as the default run', () => {
    const r = one(
      'explicit-list.js',
      `const tf = require('@tensorflow/tfjs');\nconst minimist = require('minimist');\n` +
        `const list = JSON.parse(require('fs').readFileSync('args.json', 'utf8'));\n` +
        `const a = minimist(list, { default: { units: 5 } });\n` +
        `const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: a.units })] });\nmodule.exports = { m };\n`,
    );
    assert.deepEqual(errors(r), []);
    assert.equal(r.models[0]?.totals.total, null);
  });

  it('malformed parser calls do not crash the analysis', () => {
    const r = one(
      'malformed.js',
      `const tf = require('@tensorflow/tfjs');\nconst { ArgumentParser } = require('argparse');\nconst { Command } = require('commander');\nconst yargs = require('yargs/yargs');\n` +
        `const p = new ArgumentParser();\np.add_argument();\np.addArgument(42, null);\np.add_argument('--x', 7);\nconst a = p.parse_args(undefined, 3);\n` +
        `const c = new Command();\nc.option();\nc.option(5, 'x', 'y', 'z');\nc.parse(12);\nconst o = c.opts();\n` +
        `const y = yargs().option().options(null).default().alias(3).argv;\n` +
        `const [,,,...rest] = process.argv;\nconst { units = 4 } = y;\n` +
        `const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: o.units ?? a.x ?? units })] });\nmodule.exports = { m, rest };\n`,
    );
    assert.ok(r.models.length >= 1);
  });
});
