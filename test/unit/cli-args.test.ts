/** The option parsing of the training commands, and the usage errors each command gives. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { oneFile, parseFlags, positiveIntFlag } from '../../src/training/cli-args';
import { runTrain } from '../../src/training/cli-train';
import { runLrRange } from '../../src/training/cli-lr-range';

const ROOT = path.resolve(__dirname, '..', '..');
const VALUES = new Set(['--steps', '--out']);
const BOOLS = new Set(['--json']);

describe('training command options', () => {
  it('reads --name value, --name=value, boolean flags and positional arguments', () => {
    const p = parseFlags(['a.ts', '--steps', '5', '--out=/tmp/x=y', '--json', 'b.ts'], VALUES, BOOLS);
    assert.ok(typeof p !== 'string');
    assert.deepEqual([...p.flags], [['--steps', '5'], ['--out', '/tmp/x=y'], ['--json', true]]);
    assert.deepEqual(p.positional, ['a.ts', 'b.ts']);
    assert.equal(parseFlags(['a.ts', '--steps'], VALUES, BOOLS), '--steps needs a value');
    assert.equal(parseFlags(['--bogus'], VALUES, BOOLS), 'unknown option --bogus');
    assert.equal(parseFlags(['--json=1'], VALUES, BOOLS), 'unknown option --json=1');
  });

  it('one file, and whole numbers of at least 1', () => {
    assert.equal(oneFile(['a.ts']), 'a.ts');
    assert.deepEqual(oneFile([]), { error: 'no file given' });
    assert.deepEqual(oneFile(['a.ts', 'b.ts']), { error: 'one file at a time (got a.ts, b.ts)' });
    const flags = new Map<string, string | true>([['--steps', '3'], ['--epochs', '0'], ['--seed', '2.5'], ['--samples', 'many']]);
    assert.equal(positiveIntFlag(flags, '--steps'), 3);
    assert.equal(positiveIntFlag(flags, '--missing'), undefined);
    assert.equal(positiveIntFlag(flags, '--epochs'), '--epochs must be a positive integer (got 0)');
    assert.equal(positiveIntFlag(flags, '--seed'), '--seed must be a positive integer (got 2.5)');
    assert.equal(positiveIntFlag(flags, '--samples'), '--samples must be a positive integer (got many)');
  });

  for (const [name, run] of [
    ['layer-lens train', (args: string[], io: { out(t: string): void; err(t: string): void }) => runTrain(args, io, { cwd: ROOT })],
    ['layer-lens lr-range', (args: string[], io: { out(t: string): void; err(t: string): void }) => runLrRange(args, io, { cwd: ROOT })],
  ] as const) {
    it(`${name}: usage errors exit with code 2 and say what is wrong`, async () => {
      for (const [args, message] of [
        [['samples/lenet.ts', '--bogus'], /unknown option --bogus/],
        [['samples/lenet.ts', '--steps'], /--steps needs a value/],
        [['samples/lenet.ts', 'samples/vgg16.ts', '--steps', '2'], /one file at a time \(got samples\/lenet\.ts, samples\/vgg16\.ts\)/],
        [['--steps', '0', 'samples/lenet.ts'], /--steps must be a positive integer \(got 0\)/],
      ] as const) {
        let err = '';
        const code = await run([...args], { out: () => undefined, err: (t) => (err += t) });
        assert.equal(code, 2, `${args.join(' ')}: ${err}`);
        assert.match(err, message, args.join(' '));
      }
    });
  }
});
