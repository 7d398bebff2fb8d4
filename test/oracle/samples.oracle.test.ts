/**
 * The sample workspace (samples/, what `npm start` opens) builds with real tfjs exactly as the
 * engine reports it, layer by layer, and the parameter totals in samples/README.md are the
 * ones tfjs counts. Samples that train (call fit and friends) are run by the training tests;
 * config.ts holds constants only and broken.ts is the deliberately broken file (its errors
 * are checked against tfjs in errors.oracle.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesIn, modelOracleSuite, REPO_ROOT } from './model-oracle';

const NOT_MODELS = new Set(['config.ts', 'broken.ts']);
const TRAINS = /\.(fit|fitDataset|trainOnBatch|minimize)\(/;

const files = fixturesIn('samples').filter((f) => !NOT_MODELS.has(path.basename(f)) && !TRAINS.test(fs.readFileSync(path.resolve(REPO_ROOT, f), 'utf8')));

/** README rows: `| \`file.ts\` | \`builder()\` | … | 61,706 … |`; a row with an empty file cell continues the file above. */
function readmeTotals(): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  let file = '';
  for (const line of fs.readFileSync(path.resolve(REPO_ROOT, 'samples', 'README.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6) continue;
    const f = /^`([\w.-]+\.ts)`$/.exec(cells[1]);
    if (f) file = f[1];
    const builder = /^`(\w+)\(\)`$/.exec(cells[2]);
    const total = /^([\d,]+)/.exec(cells[4]);
    if (file && builder && total) (out[file] ??= {})[builder[1]] = Number(total[1].replace(/,/g, ''));
  }
  return out;
}

const totals = readmeTotals();
modelOracleSuite(
  'the samples agree with tfjs, and with the totals in samples/README.md',
  files,
  Object.fromEntries(files.map((f) => [path.basename(f), { expectTotals: totals[path.basename(f)] ?? {} }])),
);
