/** Multiply-accumulates for one sample, computed by hand; bias adds are not MACs. */
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

describe('conv2d MACs = outH·outW·kH·kW·C_in·C_out', () => {
  it('LeNet C1: 32×32×1, 6 filters 5×5 valid → 28×28', () => {
    assert.equal(macs('conv2d', { filters: 6, kernelSize: 5 }, [null, 32, 32, 1]), 28 * 28 * 5 * 5 * 1 * 6);
  });
  it('bias does not change MACs', () => {
    assert.equal(macs('conv2d', { filters: 6, kernelSize: 5, useBias: false }, [null, 32, 32, 1]), 28 * 28 * 5 * 5 * 1 * 6);
  });
  it("'same', stride 2: 32×32×3 → 16×16×16", () => {
    assert.equal(
      macs('conv2d', { filters: 16, kernelSize: 3, strides: 2, padding: 'same' }, [null, 32, 32, 3]),
      16 * 16 * 3 * 3 * 3 * 16,
    );
  });
  it('channelsFirst costs the same as channelsLast', () => {
    assert.equal(
      macs('conv2d', { filters: 16, kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }, [null, 3, 32, 32]),
      16 * 16 * 3 * 3 * 3 * 16,
    );
  });
  it('non-square kernel and strides: 28×31 with [3,5], strides [2,1] → 13×27', () => {
    // H: floor((28 − 3)/2) + 1 = 13, W: floor((31 − 5)/1) + 1 = 27
    assert.equal(
      macs('conv2d', { filters: 8, kernelSize: [3, 5], strides: [2, 1] }, [null, 28, 31, 3]),
      13 * 27 * 3 * 5 * 3 * 8,
    );
  });
  it('dilation 2 widens a 3×3 kernel to 5×5 but still does 3·3 MACs per position', () => {
    // out = floor((15 − 5)/1) + 1 = 11
    assert.equal(macs('conv2d', { filters: 4, kernelSize: 3, dilationRate: 2 }, [null, 15, 15, 2]), 11 * 11 * 3 * 3 * 2 * 4);
  });
  it('unknown spatial size gives unknown MACs', () => {
    assert.equal(macs('conv2d', { filters: 4, kernelSize: 3 }, [null, null, 15, 2]), null);
  });
  it('a negative output size costs 0, not a negative number', () => {
    assert.equal(macs('conv2d', { filters: 4, kernelSize: 7 }, [null, 5, 5, 3]), 0);
  });
});

describe('depthwiseConv2d MACs = outH·outW·kH·kW·C_in·depthMultiplier', () => {
  it('28×28×32, 3×3 valid → 26×26', () => {
    assert.equal(macs('depthwiseConv2d', { kernelSize: 3 }, [null, 28, 28, 32]), 26 * 26 * 3 * 3 * 32 * 1);
  });
  it("depthMultiplier 2, 'same', stride 2 → 14×14", () => {
    assert.equal(
      macs('depthwiseConv2d', { kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }, [null, 28, 28, 32]),
      14 * 14 * 3 * 3 * 32 * 2,
    );
  });
});

describe('separableConv2d MACs = depthwise + outH·outW·C_in·depthMultiplier·C_out', () => {
  it('32×32×32 → 30×30×64, 3×3', () => {
    assert.equal(
      macs('separableConv2d', { filters: 64, kernelSize: 3 }, [null, 32, 32, 32]),
      30 * 30 * 3 * 3 * 32 * 1 + 30 * 30 * 32 * 1 * 64,
    );
  });
  it('depthMultiplier 2, same padding', () => {
    assert.equal(
      macs('separableConv2d', { filters: 8, kernelSize: 3, depthMultiplier: 2, padding: 'same' }, [null, 10, 12, 4]),
      10 * 12 * 3 * 3 * 4 * 2 + 10 * 12 * 4 * 2 * 8,
    );
  });
});

describe('conv1d MACs = outL·k·C_in·C_out', () => {
  it('100×8, 16 filters of 3 → 98', () => {
    assert.equal(macs('conv1d', { filters: 16, kernelSize: 3 }, [null, 100, 8]), 98 * 3 * 8 * 16);
  });
  it('dilation 4: dilated kernel 9 → 50 − 9 + 1 = 42', () => {
    assert.equal(macs('conv1d', { filters: 4, kernelSize: 3, dilationRate: 4 }, [null, 50, 2]), 42 * 3 * 2 * 4);
  });
  it("'same', stride 2: ceil(99/2) = 50", () => {
    assert.equal(macs('conv1d', { filters: 16, kernelSize: 3, strides: 2, padding: 'same' }, [null, 99, 8]), 50 * 3 * 8 * 16);
  });
});

describe('conv3d MACs = outD·outH·outW·kD·kH·kW·C_in·C_out', () => {
  it('8×8×8×1, 4 filters 3×3×3 → 6×6×6', () => {
    assert.equal(macs('conv3d', { filters: 4, kernelSize: 3 }, [null, 8, 8, 8, 1]), 6 * 6 * 6 * 3 * 3 * 3 * 1 * 4);
  });
});

describe('transposed conv MACs = inH·inW·kH·kW·C_in·C_out', () => {
  it("14×14×32 → 28×28×16, 3×3 stride 2 'same'", () => {
    assert.equal(
      macs('conv2dTranspose', { filters: 16, kernelSize: 3, strides: 2, padding: 'same' }, [null, 14, 14, 32]),
      14 * 14 * 3 * 3 * 32 * 16,
    );
  });
  it("'valid' (29×29 out) scatters the same work from the same inputs", () => {
    assert.equal(
      macs('conv2dTranspose', { filters: 16, kernelSize: 3, strides: 2 }, [null, 14, 14, 32]),
      14 * 14 * 3 * 3 * 32 * 16,
    );
  });
  it('conv3dTranspose 4×4×4×8 → 4 filters 3×3×3', () => {
    assert.equal(
      macs('conv3dTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, [null, 4, 4, 4, 8]),
      4 * 4 * 4 * 3 * 3 * 3 * 8 * 4,
    );
  });
});
