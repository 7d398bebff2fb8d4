/** The analysis library's public surface. Nothing here knows about VS Code. */
export { Analyzer, analyzeFiles, type AnalyzeOptions } from './engine';
export type * from './graph';
export { formatSummary } from './summary';
/** Layer rules, for callers that check a config or an input shape the way the engine would (quick fixes). */
export { applyRule } from './layers/apply';
export { ruleForFactory } from './layers/registry';
export { nearestFactory } from './tfjs/namespace';
