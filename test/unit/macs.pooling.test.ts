/**
 * Pooling MACs by hand: one comparison (max) or addition (average) per window element,
 * so out elements × window size; global pooling touches each input element once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../src/analysis/graph';
import { applyRule } from '../../src/analysis/layers/apply';
import { ruleForFactory } from '../../src/analysis/layers/registry';

function macs(factory: string, config: Record<string, unknown>, input: Shape): number | null {
  const rule = ruleForFactory(factory);
  assert.ok(rule, `no rule for ${factory}`);
  return applyRule(rule, [input], config).macs;
}

describe('pooling MACs = out elements × window size', () => {
  it('maxPooling2d 2×2 on 28×28×6 → 14×14×6', () => {
    assert.equal(macs('maxPooling2d', {}, [null, 28, 28, 6]), 14 * 14 * 6 * 2 * 2);
  });
  it("avgPool2d 3×3 stride 2 'same' on 7×7×8 → 4×4×8", () => {
    assert.equal(macs('avgPool2d', { poolSize: 3, strides: 2, padding: 'same' }, [null, 7, 7, 8]), 4 * 4 * 8 * 3 * 3);
  });
  it('maxPooling1d 3 stride 1 on 10×4 → 8×4', () => {
    assert.equal(macs('maxPooling1d', { poolSize: 3, strides: 1 }, [null, 10, 4]), 8 * 4 * 3);
  });
  it('averagePooling3d 2×2×2 on 8×8×8×2 → 4×4×4×2', () => {
    assert.equal(macs('averagePooling3d', {}, [null, 8, 8, 8, 2]), 4 * 4 * 4 * 2 * 2 * 2 * 2);
  });
  it('globalAveragePooling2d on 7×7×512 reads every input once', () => {
    assert.equal(macs('globalAveragePooling2d', {}, [null, 7, 7, 512]), 7 * 7 * 512);
  });
  it('globalMaxPool1d on 10×4', () => {
    assert.equal(macs('globalMaxPool1d', {}, [null, 10, 4]), 10 * 4);
  });
  it('unknown sizes give unknown MACs', () => {
    assert.equal(macs('maxPooling2d', {}, [null, null, 28, 6]), null);
  });
});

describe('copy-only layers', () => {
  it('cropping, zero padding and nearest upsampling cost nothing', () => {
    assert.equal(macs('cropping2D', { cropping: 2 }, [null, 28, 28, 3]), 0);
    assert.equal(macs('zeroPadding2d', {}, [null, 28, 28, 3]), 0);
    assert.equal(macs('upSampling2d', {}, [null, 14, 14, 16]), 0);
  });
  it('bilinear upsampling blends 4 neighbours per output element', () => {
    assert.equal(macs('upSampling2d', { interpolation: 'bilinear' }, [null, 14, 14, 16]), 28 * 28 * 16 * 4);
  });
});
