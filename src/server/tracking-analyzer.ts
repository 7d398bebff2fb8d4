/**
 * The engine's Analyzer, recording which files one analysis read: the analysed file, the
 * files it imports, theirs, and so on. The language server uses that to re-analyse an
 * open document when a file it depends on changes (editing config.ts updates model.ts).
 */
import type { FileAnalysis } from '../analysis/graph';
import { Analyzer, type AnalyzeOptions } from '../analysis/index';

export interface TrackedAnalysis {
  analysis: FileAnalysis;
  /** Absolute paths of every file the analysis read or resolved an import to, the analysed file included. */
  dependencies: Set<string>;
}

export class TrackingAnalyzer extends Analyzer {
  private reads: Set<string> | undefined;

  override sourceFile(...args: Parameters<Analyzer['sourceFile']>): ReturnType<Analyzer['sourceFile']> {
    this.reads?.add(args[0]);
    return super.sourceFile(...args);
  }

  override exists(...args: Parameters<Analyzer['exists']>): boolean {
    const found = super.exists(...args);
    if (found) this.reads?.add(args[0]);
    return found;
  }

  /** Analyses one file and reports what it read. Never throws: a failure becomes an info diagnostic. */
  analyzeTracked(file: string, options: AnalyzeOptions = {}): TrackedAnalysis {
    const reads = new Set<string>([file]);
    this.reads = reads;
    try {
      const [analysis] = this.analyze([file], options);
      return { analysis: analysis ?? { file, models: [], diagnostics: [] }, dependencies: reads };
    } catch (err) {
      const message = `Layer Lens could not analyse this file: ${err instanceof Error ? err.message : String(err)}`;
      return { analysis: { file, models: [], diagnostics: [{ severity: 'info', code: 'internal-error', message }] }, dependencies: reads };
    } finally {
      this.reads = undefined;
    }
  }
}
