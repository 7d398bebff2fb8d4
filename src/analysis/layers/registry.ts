/** Every known layer rule, looked up by the `tf.layers.<factory>` name. */
import { convolutionalRules } from './convolutional';
import { coreRules } from './core';
import { poolingRules } from './pooling';
import type { LayerRule } from './rule';
import { spatialRules } from './spatial';
import { activationRules } from './activations';
import { mergeRules } from './merge';
import { normalizationRules } from './normalization';
import { preprocessingRules } from './preprocessing';
import { recurrentRules } from './recurrent';
import { wrapperRules } from './wrappers';

const families: LayerRule[][] = [coreRules, convolutionalRules, spatialRules, poolingRules];
families.push(recurrentRules, wrapperRules, normalizationRules, mergeRules, activationRules, preprocessingRules);

const byFactory = new Map<string, LayerRule>();
const byClass = new Map<string, LayerRule>();
for (const family of families) {
  for (const rule of family) {
    byClass.set(rule.className, rule);
    for (const f of rule.factories) byFactory.set(f, rule);
  }
}

export function ruleForFactory(factory: string): LayerRule | undefined {
  return byFactory.get(factory);
}

export function ruleForClass(className: string): LayerRule | undefined {
  return byClass.get(className);
}

export function knownFactories(): string[] {
  return [...byFactory.keys()];
}
