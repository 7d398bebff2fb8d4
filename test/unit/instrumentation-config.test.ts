/** The layerLens.training statistics settings → the run's statsEvery / probeEvery / activationsFrom. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { instrumentationSettingsFrom } from '../../src/client/instrumentation-config';
import { scriptConfigSchema } from '../../src/training/script/config';
import { validate } from '../../src/protocol/schema';

const from = (values: Record<string, unknown>) => instrumentationSettingsFrom((key) => values[key]);

describe('training statistics settings', () => {
  it('the defaults of the manifest leave the engine its own intervals and the probe', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
    const props = manifest.contributes.configuration.properties;
    const defaults = { statsEvery: props['layerLens.training.statsEvery'].default, histogramsEvery: props['layerLens.training.histogramsEvery'].default, activationsFrom: props['layerLens.training.activationsFrom'].default };
    assert.deepEqual(from(defaults), { settings: { statsEvery: 10 } });
    assert.deepEqual(from({}), { settings: {} });
  });

  it('histograms at every step from the training batch', () => {
    const r = from({ statsEvery: 1, histogramsEvery: 1, activationsFrom: 'batch' });
    assert.deepEqual(r, { settings: { statsEvery: 1, probeEvery: 1, activationsFrom: 'batch' } });
    // What the panel builds from them validates as the config of a run of the user's program.
    const settings = (r as { settings: object }).settings;
    const checked = validate(scriptConfigSchema, { ...settings, v: 1, script: '/p/train.ts', codeHash: 'x', runDir: '/p/.layer-lens/runs/x' });
    assert.equal(checked.ok, true, checked.ok ? '' : checked.message);
  });

  it('names the setting when VS Code hands over a value outside the schema', () => {
    assert.match(JSON.stringify(from({ statsEvery: 0 })), /layerLens\.training\.statsEvery must be a whole number of steps, at least 1 \(got 0\)/);
    assert.match(JSON.stringify(from({ statsEvery: 2.5 })), /statsEvery/);
    assert.match(JSON.stringify(from({ histogramsEvery: -1 })), /layerLens\.training\.histogramsEvery must be a whole number of steps, 0 for automatic \(got -1\)/);
    assert.match(JSON.stringify(from({ histogramsEvery: '5' })), /histogramsEvery/);
    assert.deepEqual(from({ activationsFrom: 'training' }), { error: 'layerLens.training.activationsFrom must be one of probe, batch (got "training")' });
  });
});
