/**
 * Negative fixtures (test/fixtures/errors/), one per kind of error: real tfjs must fail on
 * each (throw while building, throw when data flows, or — for a functional 'valid' conv
 * larger than its input — silently produce a negative dimension), and the engine must report
 * an error diagnostic on the line marked `// ERROR` in the builder, with a message that
 * carries the user's own numbers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../../src/analysis/graph';
import { REPO_ROOT, analyzeFixture, loadBuilders } from './model-oracle';

type TfjsFailure =
  /** Building throws (Sequential.add, Layer.apply, tf.model). */
  | { kind: 'throws'; message: RegExp }
  /** Building succeeds with a negative dimension in some layer's output shape. */
  | { kind: 'negative-dim' }
  /** Building succeeds; running the model on data throws. */
  | { kind: 'throws-when-run'; message: RegExp };

interface ErrorCase {
  file: string;
  builder: string;
  tfjs: TfjsFailure;
  /** The engine's diagnostic code. */
  code: string;
  /** Fragments the engine's message must contain (the user's numbers). */
  mentions: (string | RegExp)[];
}

const cases: ErrorCase[] = [
  {
    file: 'merge-mismatch.ts',
    builder: 'buildMismatchedAdd',
    tfjs: { kind: 'throws', message: /could not be broadcast together with shapes \[4\] \[5\]/ },
    code: 'merge-shape-mismatch',
    mentions: ['[null,4]', '[null,5]'],
  },
  {
    file: 'negative-size-sequential.ts',
    builder: 'buildNegativeSequential',
    tfjs: { kind: 'throws', message: /Negative dimension size caused by adding layer/ },
    code: 'negative-output-size',
    mentions: ['7', '5', '−1'],
  },
  {
    file: 'negative-size-functional.ts',
    builder: 'buildNegativeFunctional',
    tfjs: { kind: 'negative-dim' },
    code: 'negative-output-size',
    mentions: ['7', '5', '−1'],
  },
  {
    file: 'reshape-mismatch.ts',
    builder: 'buildBadReshape',
    tfjs: { kind: 'throws-when-run', message: /Total size of new array must be unchanged/ },
    code: 'reshape-size-mismatch',
    mentions: ['24', '[5,5]', '25'],
  },
  {
    file: 'wrong-input-rank.ts',
    builder: 'buildWrongRank',
    tfjs: { kind: 'throws', message: /expected ndim=4, found ndim=2/ },
    code: 'wrong-input-rank',
    mentions: ['rank 4', '[null,16]'],
  },
  {
    file: 'concat-axis-mismatch.ts',
    builder: 'buildBadConcat',
    tfjs: { kind: 'throws', message: /requires inputs with matching shapes except for the concat axis/ },
    code: 'concat-axis-mismatch',
    mentions: ['[null,4,3]', '[null,5,3]'],
  },
  {
    file: 'incompatible-input-shape.ts',
    builder: 'buildIncompatibleInput',
    // Sequential.add does not check a nested model's input; its Dense rejects the data.
    tfjs: { kind: 'throws-when-run', message: /expected axis -1 of input shape to have value 20/ },
    code: 'incompatible-input-shape',
    mentions: ['[null,20]', '[null,12]'],
  },
  {
    file: 'incompatible-input-shape.ts',
    builder: 'buildSharedDenseMismatch',
    tfjs: { kind: 'throws', message: /expected axis -1 of input shape to have value 10/ },
    code: 'incompatible-input-shape',
    mentions: ['[null,10]', '[null,8]'],
  },
  {
    file: 'missing-input-shape.ts',
    builder: 'buildNoInputShape',
    tfjs: { kind: 'throws', message: /first layer in a Sequential model must get an `inputShape`/ },
    code: 'missing-input-shape',
    mentions: ['inputShape', 'dense'],
  },
  // tfjs has no deferred build: a later fit()/predict() does not make a Sequential without inputShape valid.
  {
    file: 'missing-input-shape-fit.ts',
    builder: 'buildThenFit',
    tfjs: { kind: 'throws', message: /first layer in a Sequential model must get an `inputShape`/ },
    code: 'missing-input-shape',
    mentions: ['inputShape', 'dense'],
  },
  {
    file: 'missing-input-shape-fit.ts',
    builder: 'buildListThenPredict',
    tfjs: { kind: 'throws', message: /first layer in a Sequential model must get an `inputShape`/ },
    code: 'missing-input-shape',
    mentions: ['inputShape', 'flatten'],
  },
];

const DIR = 'test/fixtures/errors';

/** The 1-based line of the first `// ERROR` marker inside `function builder`. */
function markedLine(file: string, builder: string): number {
  const lines = fs.readFileSync(path.resolve(REPO_ROOT, DIR, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes(`function ${builder}(`));
  assert.ok(start >= 0, `${file} has no function ${builder}`);
  const offset = lines.slice(start).findIndex((l) => l.includes('// ERROR'));
  assert.ok(offset >= 0, `${builder} in ${file} has no // ERROR marker`);
  return start + offset + 1;
}

function engineErrors(file: string): Diagnostic[] {
  const a = analyzeFixture(path.join(DIR, file));
  return [...a.diagnostics, ...a.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error');
}

function checkTfjs(failure: TfjsFailure, build: () => unknown): void {
  if (failure.kind === 'throws') {
    assert.throws(() => build(), failure.message);
    return;
  }
  const model = build() as tf.LayersModel;
  try {
    if (failure.kind === 'negative-dim') {
      const shapes = model.layers.flatMap((l) => (Array.isArray(l.outputShape[0]) ? (l.outputShape as number[][]) : [l.outputShape as number[]]));
      assert.ok(
        shapes.some((s) => s.some((d) => d !== null && d < 0)),
        `tfjs built every layer with non-negative sizes: ${JSON.stringify(shapes)}`,
      );
    } else {
      const inputs = model.inputs.map((t) => tf.zeros(t.shape.map((d) => d ?? 1)));
      try {
        assert.throws(() => model.predict(inputs.length === 1 ? inputs[0] : inputs), failure.message);
      } finally {
        tf.dispose(inputs);
      }
    }
  } finally {
    model.dispose();
  }
}

describe('error fixtures: tfjs fails and the engine says where and why', async () => {
  const builders = new Map<string, Map<string, () => unknown>>();
  for (const file of new Set(cases.map((c) => c.file))) builders.set(file, await loadBuilders(path.join(DIR, file)));

  it('every error fixture is covered by a case', () => {
    const files = fs.readdirSync(path.resolve(REPO_ROOT, DIR)).filter((f) => f.endsWith('.ts'));
    for (const f of files) assert.ok(cases.some((c) => c.file === f), `${f} has no case`);
  });

  for (const c of cases) {
    describe(`${c.file} ${c.builder}()`, () => {
      it(`real tfjs ${c.tfjs.kind === 'negative-dim' ? 'produces a negative dimension' : c.tfjs.kind}`, () => {
        const build = builders.get(c.file)?.get(c.builder);
        assert.ok(build, `${c.file} does not export ${c.builder}`);
        checkTfjs(c.tfjs, build);
      });

      it(`the engine reports ${c.code} on the marked line, with the user's numbers`, () => {
        const line = markedLine(c.file, c.builder);
        const errors = engineErrors(c.file);
        const here = errors.filter((d) => d.range?.start.line === line);
        const listing = errors.map((d) => `${d.range?.start.line}: ${d.code}: ${d.message}`).join('\n  ') || 'none';
        assert.ok(here.length > 0, `no error on line ${line} of ${c.file}; errors:\n  ${listing}`);
        const d = here.find((x) => x.code === c.code);
        assert.ok(d, `no ${c.code} on line ${line}; there: ${here.map((x) => x.code).join(', ')}`);
        for (const m of c.mentions) {
          const text = `${d.message} ${d.formula ?? ''}`;
          if (typeof m === 'string') assert.ok(text.includes(m), `the message does not mention ${m}: ${text}`);
          else assert.match(text, m);
        }
        assert.equal(path.resolve(d.range!.file), path.resolve(REPO_ROOT, DIR, c.file));
      });
    });
  }

  it('a fixture without the error has no error diagnostic (no false alarms in these files)', () => {
    for (const c of cases) {
      const line = markedLine(c.file, c.builder);
      const others = engineErrors(c.file).filter((d) => !cases.some((k) => k.file === c.file && markedLine(k.file, k.builder) === d.range?.start.line));
      assert.deepEqual(
        others.map((d) => `${d.range?.start.line}: ${d.code}`),
        [],
        `unexpected errors in ${c.file} (marked line ${line})`,
      );
    }
  });
});
