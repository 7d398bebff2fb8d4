/** The analysis library's public surface. Nothing here knows about VS Code. */
export { Analyzer, analyzeFiles, type AnalyzeOptions } from './engine';
export type * from './graph';
export { formatSummary } from './summary';
