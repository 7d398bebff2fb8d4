/**
 * Training health (issue 5): pure detectors over the training statistics stream.
 *
 *   import { HealthMonitor } from './health';
 *   const m = new HealthMonitor({ graph });   // the analysed ModelGraph, when there is one
 *   m.push(workerMessage);                     // → new/updated findings
 *   m.findings();                              // ranked
 *
 * No vscode import, no I/O: the training engine, the CLI and the panel all call it.
 */
export {
  HealthMonitor,
  analyzeStream,
  findingsJson,
  SUPERSEDED_BY,
  type FindingChange,
  type FindingJson,
  type MonitorOptions,
} from './monitor';
export { DETECTORS } from './detectors';
export type { Detector } from './detector';
export { ModelContext, type LayerInfo } from './context';
export { StreamState } from './state';
export * from './findings';
export {
  EVIDENCE_LABELS,
  MESSAGES,
  evidenceLabel,
  msg,
  renderMessage,
  type EvidenceKey,
  type MessageArg,
  type MessageId,
  type MessagePart,
} from './messages';
export * from './stream';
