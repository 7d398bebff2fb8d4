/**
 * Oracle comparisons for configs that hold other layers (bidirectional({layer}),
 * timeDistributed({layer}), rnn({cell}), stackedRNNCells({cells})). A test writes the
 * inner layer as `inner('lstm', {...})`; the tfjs side gets a fresh `tf.layers.lstm(...)`
 * each time, our side gets the InnerLayer {rule, config} the interpreter would pass.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Shape } from '../../src/analysis/graph';
import { ruleForFactory } from '../../src/analysis/layers/registry';
import { type InnerLayer, ShapeError } from '../../src/analysis/layers/rule';
import { type FullLayerFacts, ourLayerFull, tfjsLayerFull } from './layer-oracle';

const MARK = Symbol('inner layer');

interface Marker {
  [MARK]: true;
  factory: string;
  config: Record<string, unknown>;
}

/** A layer inside a config, created anew for every build. */
export function inner(factory: string, config: Record<string, unknown> = {}): Marker {
  return { [MARK]: true, factory, config };
}

function isMarker(v: unknown): v is Marker {
  return typeof v === 'object' && v !== null && MARK in v;
}

type Factory = (config: Record<string, unknown>) => tf.layers.Layer;

function resolve(v: unknown, side: 'tfjs' | 'ours'): unknown {
  if (isMarker(v)) {
    const config = resolve(v.config, side) as Record<string, unknown>;
    if (side === 'tfjs') return (tf.layers as unknown as Record<string, Factory>)[v.factory](config);
    const rule = ruleForFactory(v.factory);
    if (!rule) throw new Error(`no rule for ${v.factory}`);
    return { rule, config } satisfies InnerLayer;
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, side));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, side)]));
  }
  return v;
}

/**
 * Shapes through JSON, as the analysis hands them around: tfjs sometimes reports an
 * `undefined` dimension (randomWidth), which JSON writes as null. Weight names keep
 * only their last segment, as tfjs's own prefixes (layer names, counters) vary.
 */
function normalise(f: FullLayerFacts): FullLayerFacts {
  return {
    ...f,
    outputShape: JSON.parse(JSON.stringify(f.outputShape)),
    weights: f.weights.map((w) => ({ ...w, name: w.name.slice(w.name.lastIndexOf('/') + 1) })),
  };
}

export function tfjsFacts(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  return normalise(tfjsLayerFull(factory, resolve(config, 'tfjs') as Record<string, unknown>, inputShapes));
}

export function ourFacts(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): FullLayerFacts {
  return normalise(ourLayerFull(factory, resolve(config, 'ours') as Record<string, unknown>, inputShapes));
}

/** One oracle case: what tfjs builds and what our rule computes must agree in full. */
export function agree(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): void {
  assert.deepEqual(ourFacts(factory, config, inputShapes), tfjsFacts(factory, config, inputShapes));
}

/** One error case: tfjs throws while building, and our rule throws a ShapeError with `code`. */
export function bothThrow(factory: string, config: Record<string, unknown>, inputShapes: Shape[], code: string): void {
  assert.throws(() => tfjsFacts(factory, config, inputShapes));
  assert.throws(
    () => ourFacts(factory, config, inputShapes),
    (e: unknown) => e instanceof ShapeError && e.code === code,
  );
}

/** A readable test name for a case. */
export function caseName(factory: string, config: Record<string, unknown>, inputShapes: Shape[]): string {
  const text = JSON.stringify(config, (_k, v: unknown) => (isMarker(v) ? `${v.factory}(${JSON.stringify(v.config)})` : v));
  return `${factory} ${text} on ${JSON.stringify(inputShapes)}`;
}
