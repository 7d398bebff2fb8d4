/** Every known layer rule, looked up by the `tf.layers.<factory>` name. */
import { coreRules } from './core';
import type { LayerRule } from './rule';

const families: LayerRule[][] = [coreRules];

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
