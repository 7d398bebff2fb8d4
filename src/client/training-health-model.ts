/**
 * The pure half of the editor's training-health surface (no vscode import, unit-tested): from a
 * run's findings and the analysed graph it was built from, what the Training Health view shows
 * (`healthViewState`), the Problems entries (`healthDiagnostics`: one per finding, at its first
 * place, the other layers as related places) and the inline notes with their gutter severity
 * (`healthDecorations`: one per line, the notes of every finding on it). Lines and columns
 * here are 0-based, as the editor counts them. Every text is in the locale the caller passes
 * (the client's display language).
 *
 * ## Findings of code that has changed since
 *
 * A run's findings describe the code it trained. Once the user edits a file of the model (by
 * hand or with one of the quick fixes) they are only a guess about the new code, and a stale
 * warning that points at a line the user just fixed is worse than none. `RunFreshness` follows
 * that: the hash of each file of the model when the run started (the run's `codeHash` for the
 * trained file), the edits since, and the fixes applied from the findings. While any file
 * differs from what was trained (`isStale`):
 *
 * * Problems entries become information-level, worded "before your edit, retrain to confirm",
 *   at the line where the layer is now (edits above it shift it; a removed line drops it);
 * * the inline notes lose their gutter mark and are drawn dimmed, prefixed "before your edit";
 * * the view lists the findings under a "before your edit" heading with a Retrain action, and
 *   marks the ones whose fix was applied;
 * * a finding whose fix was applied leaves Problems and the editor altogether (the user acted on
 *   it; the view still lists it, as applied).
 *
 * Undoing the edits brings the text back to the trained hash, and the findings back as they
 * were. The next run of the file replaces all of it.
 */
import type { ModelGraph } from '../analysis/graph';
import { explain, type ExplainLocale } from '../explain/index';
import { findingPlaces, inlineNote, type FindingPlace } from '../health/editor';
import { findingMessage, findingTitle, fixTitle, fmt, SEVERITY_ORDER, type Finding, type FindingSeverity } from '../health/findings';
import { evidenceLabel, uiText } from '../health/messages';
import type { FindingView, HealthRunView, ToHealthView } from '../protocol/pages/health';

export interface HealthRange {
  file: string;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface HealthDiagnostic {
  range: HealthRange;
  severity: FindingSeverity;
  code: string;
  message: string;
  findingId: string;
  related: { range: HealthRange; message: string }[];
}

export interface HealthDecoration {
  file: string;
  /** 0-based line. */
  line: number;
  /** The most severe finding on the line decides the gutter mark. */
  severity: FindingSeverity;
  /** From a run of code edited since: drawn dimmed, without a gutter mark. */
  stale: boolean;
  note: string;
  /** The findings' one-line messages, for the hover. */
  hover: string[];
}

/** Line lengths of a file, to widen a whole-line place (model-wide findings) to its text. */
export type LineLength = (file: string, line0: number) => number | undefined;

/* ---------- findings of code edited since the run ---------- */

/**
 * One change of a document's text as the editor reports it (0-based; `newLines`: line breaks in
 * the inserted text). Changes are applied one after the other, each to the text the previous
 * one left (the order of `TextDocumentChangeEvent.contentChanges`).
 */
export interface LineEdit {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  newLines: number;
}

/** Edits followed per file; past this many, where a line went is no longer tracked. */
export const MAX_TRACKED_EDITS = 5000;

/**
 * Where a line of the trained text is now (0-based), after these edits; undefined when the line
 * was removed or the edits are not known (`null`: the file changed on disk, say).
 */
export function mapLine(line0: number, edits: readonly LineEdit[] | null): number | undefined {
  if (edits === null) return undefined;
  let line = line0;
  for (const e of edits) {
    if (line < e.startLine) continue;
    if (line === e.startLine && e.startCharacter > 0) continue; // its beginning stays where it is
    if (line === e.startLine && e.endLine > e.startLine) return undefined; // replaced from its first character on
    if (line > e.startLine && line < e.endLine) return undefined; // inside the replaced text
    // The change's last line, or a line after it: its text follows the inserted text.
    line = line - e.endLine + e.startLine + e.newLines;
  }
  return line;
}

/** What has happened to the code since a run started (plain data; each function returns a new one). */
export interface RunFreshness {
  /** Each file of the run's model → the hash of its text when the run started (absent: unknown). */
  hashes: Record<string, string>;
  /** Files whose text differs from that now, with the edits since (null: not followed). */
  edited: Record<string, LineEdit[] | null>;
  /** Fixes applied from the run's findings since: finding id → fix ids. */
  applied: Record<string, string[]>;
}

export function freshRun(hashes: Record<string, string> = {}): RunFreshness {
  return { hashes: { ...hashes }, edited: {}, applied: {} };
}

/** The findings describe code that has changed since (and not been changed back). */
export function isStale(fr: RunFreshness | undefined): boolean {
  return fr !== undefined && Object.keys(fr.edited).length > 0;
}

/**
 * After a change of `file`: `hashNow` is its text's hash now. Back at the hash the run started
 * from, the file counts as unedited again (an undo); otherwise its edits are followed. Files of
 * other models are ignored. `edits` null: the text changed in a way the edits do not describe.
 */
export function noteEdit(fr: RunFreshness, file: string, edits: readonly LineEdit[] | null, hashNow?: string): RunFreshness {
  if (!Object.prototype.hasOwnProperty.call(fr.hashes, file)) return fr;
  const edited = { ...fr.edited };
  if (hashNow !== undefined && hashNow === fr.hashes[file]) delete edited[file];
  else {
    const before = Object.prototype.hasOwnProperty.call(edited, file) ? edited[file] : [];
    const next = before === null || edits === null ? null : [...before, ...edits];
    edited[file] = next !== null && next.length > MAX_TRACKED_EDITS ? null : next;
  }
  // Back to the trained code everywhere: what was applied has been undone too.
  return { hashes: fr.hashes, edited, applied: Object.keys(edited).length === 0 ? {} : fr.applied };
}

/** A fix of a finding was applied (a quick fix, or Apply in the view). */
export function noteFixApplied(fr: RunFreshness, findingId: string, fixId: string): RunFreshness {
  const ids = fr.applied[findingId] ?? [];
  return ids.includes(fixId) ? fr : { ...fr, applied: { ...fr.applied, [findingId]: [...ids, fixId] } };
}

/** The finding's fixes applied since the run (none when the code is as trained). */
export function appliedFixes(fr: RunFreshness | undefined, findingId: string): string[] {
  return isStale(fr) ? (fr!.applied[findingId] ?? []) : [];
}

/** The findings the editor still shows at their lines and in Problems: not those the user already applied a fix of. */
export function shownFindings(findings: Finding[], fr: RunFreshness | undefined): Finding[] {
  return findings.filter((f) => appliedFixes(fr, f.id).length === 0);
}

/** A finding's place where it is now: unchanged when its file was not edited, else its line moved (the whole line), or none. */
function currentPlace(p: FindingPlace, fr: RunFreshness | undefined): FindingPlace | undefined {
  if (!fr || !Object.prototype.hasOwnProperty.call(fr.edited, p.file)) return p;
  const line0 = mapLine(p.startLine - 1, fr.edited[p.file]);
  if (line0 === undefined) return undefined;
  return { file: p.file, ...(p.layer ? { layer: p.layer } : {}), startLine: line0 + 1, startColumn: 1, endLine: line0 + 1, endColumn: 1 };
}

function placesNow(f: Finding, graph: ModelGraph | undefined, fr: RunFreshness | undefined): FindingPlace[] {
  return findingPlaces(f, graph).flatMap((p) => currentPlace(p, fr) ?? []);
}

function rangeOf(p: FindingPlace, lineLength?: LineLength): HealthRange {
  const wholeLine = p.startOffset === undefined;
  const len = wholeLine ? (lineLength?.(p.file, p.startLine - 1) ?? 0) : 0;
  return {
    file: p.file,
    startLine: p.startLine - 1,
    startCharacter: wholeLine ? 0 : p.startColumn - 1,
    endLine: p.endLine - 1,
    endCharacter: wholeLine ? len : p.endColumn - 1,
  };
}

/** A finding's title and message, the way Problems and hovers show it. */
export function titledMessage(f: Finding, locale: ExplainLocale): string {
  return uiText('titled', locale, { title: findingTitle(f.code, locale), message: findingMessage(f, locale) });
}

/**
 * One Problems entry per finding that has a place; its other layers become related places. Of a
 * run whose code was edited since: information-level, said to be from before the edit, at the
 * lines where the layers are now, without the findings whose fix was applied.
 */
export function healthDiagnostics(
  findings: Finding[],
  graph: ModelGraph | undefined,
  lineLength?: LineLength,
  locale: ExplainLocale = 'en',
  fr?: RunFreshness,
): HealthDiagnostic[] {
  const out: HealthDiagnostic[] = [];
  const stale = isStale(fr);
  for (const f of shownFindings(findings, fr)) {
    const places = placesNow(f, graph, fr);
    if (places.length === 0) continue;
    const [first, ...rest] = places;
    const text = `${titledMessage(f, locale)}${f.fixes[0] ? uiText('fix', locale, { fix: fixTitle(f.fixes[0], locale) }) : ''}`;
    out.push({
      range: rangeOf(first, lineLength),
      severity: stale ? 'info' : f.severity,
      code: f.code,
      message: stale ? uiText('staleProblem', locale, { text }) : text,
      findingId: f.id,
      related: rest.map((p) => ({
        range: rangeOf(p, lineLength),
        message: `${p.layer ?? uiText('here', locale)}: ${inlineNote(f, locale)}`,
      })),
    });
  }
  return out;
}

/** One decoration per line that holds a place of some finding: the gutter mark and the note (dimmed, without a mark, when stale). */
export function healthDecorations(
  findings: Finding[],
  graph: ModelGraph | undefined,
  locale: ExplainLocale = 'en',
  fr?: RunFreshness,
): HealthDecoration[] {
  const stale = isStale(fr);
  const byLine = new Map<string, { file: string; line: number; findings: Finding[] }>();
  for (const f of shownFindings(findings, fr)) {
    for (const p of placesNow(f, graph, fr)) {
      const key = `${p.file}\n${p.startLine}`;
      let entry = byLine.get(key);
      if (!entry) byLine.set(key, (entry = { file: p.file, line: p.startLine - 1, findings: [] }));
      if (!entry.findings.includes(f)) entry.findings.push(f);
    }
  }
  return [...byLine.values()].map(({ file, line, findings: fs }) => {
    const ranked = [...fs].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    const note = ranked.map((f) => inlineNote(f, locale)).join('  ·  ');
    const hover = ranked.map((f) => titledMessage(f, locale));
    return {
      file,
      line,
      severity: ranked[0].severity,
      stale,
      note: stale ? `${uiText('staleNote', locale)} · ${note}` : note,
      hover: stale ? [...hover, uiText('staleHover', locale)] : hover,
    };
  });
}

/** `laterGradNorm` → `later layers' gradient norm` (in the locale). */
export function evidenceName(key: string, locale: ExplainLocale = 'en'): string {
  return evidenceLabel(key, locale);
}

const CURVE_CODES = new Set(['divergence', 'oscillation', 'loss-not-decreasing', 'learning-rate-too-high', 'underfitting', 'overfitting']);

export interface HealthRunInput {
  file: string;
  model: ModelGraph;
  status: HealthRunView['status'];
  step: number;
  totalSteps?: number;
  /** Recent training losses (for the sparkline of loss-curve findings) and validation losses per epoch. */
  losses?: (number | null)[];
  valLosses?: (number | null)[];
}

/**
 * The view's state: the run and its findings, ranked as given, in the UI language. With `fr`
 * saying the code was edited since the run: `stale`, and each finding's fixes applied since.
 */
export function healthViewState(
  run: HealthRunInput | undefined,
  findings: Finding[],
  locale: ExplainLocale,
  displayPath: (file: string) => string = (f) => f,
  fr?: RunFreshness,
): ToHealthView {
  if (!run) return { type: 'state', run: null, findings: [], locale };
  const layers = run.model.layers;
  const lineOf = (name: string): number | null => {
    const l = layers.find((x) => x.name === name);
    return (l?.range ?? l?.applyRanges[0])?.start.line ?? null;
  };
  const views: FindingView[] = findings.map((f) => {
    const view: FindingView = {
      id: f.id,
      code: f.code,
      severity: f.severity,
      title: findingTitle(f.code, locale),
      message: findingMessage(f, locale),
      note: inlineNote(f, locale),
      step: f.step,
      layers: f.layers.map((name) => ({ name, line: lineOf(name) })),
      line: f.line ?? null,
      evidence: Object.entries(f.evidence).map(([k, v]) => ({ name: evidenceName(k, locale), value: fmt(v) })),
      why: f.explain.flatMap((id) => {
        const e = explain(id, locale);
        return e ? [{ id, title: e.title, summary: e.summary }] : [];
      }),
      fixes: f.fixes.map((x) => {
        const e = x.explain[0] ? explain(x.explain[0], locale) : undefined;
        return { id: x.id, title: fixTitle(x, locale), rank: x.rank, edit: (x.edits?.length ?? 0) > 0, ...(e ? { why: e.summary } : {}) };
      }),
    };
    const series = f.code === 'overfitting' ? run.valLosses : CURVE_CODES.has(f.code) ? run.losses : undefined;
    if (series && series.filter((x) => x !== null).length >= 2) view.spark = series.slice(-200);
    const applied = appliedFixes(fr, f.id);
    if (applied.length > 0)
      view.applied = applied.map((id) => f.fixes.find((x) => x.id === id)).flatMap((x) => (x ? [fixTitle(x, locale)] : []));
    return view;
  });
  return {
    type: 'state',
    run: {
      file: displayPath(run.file),
      model: run.model.name,
      status: run.status,
      step: run.step,
      ...(run.totalSteps !== undefined ? { totalSteps: run.totalSteps } : {}),
    },
    findings: views,
    locale,
    ...(isStale(fr) ? { stale: true } : {}),
  };
}
