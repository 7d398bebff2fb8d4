/**
 * The project a file belongs to, as a real run of it sees the file: which other files
 * import it (directly or through others), and which of those are programs that run —
 * the contexts through which a builder in `model.ts` gets its arguments from `train.ts`.
 *
 * Only import statements are read here (`ts.preProcessFile`, no parse), so the graph of a
 * few hundred files costs milliseconds; each file's imports are cached by its text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.mts', '.cts'];

/** Files larger than this are bundles or generated data, never a program's entry. */
const MAX_FILE_BYTES = 1_000_000;
/** Folders of a project that hold no code of the user's own. */
const SKIPPED_DIRS = new Set(['node_modules', 'bower_components', 'jspm_packages']);
/** A project of more files than this is scanned only this far (in sorted order). */
const MAX_FILES = 5_000;
/** Contexts a file is analysed through: the first ones in priority order. */
export const MAX_CONTEXTS = 8;

/** What the workspace needs from the analyzer. */
export interface WorkspaceHost {
  /** Open editors' text by absolute path: wins over the disk, and may not exist there. */
  overlay?: ReadonlyMap<string, string>;
  /** The file a relative import from `fromFile` resolves to. */
  resolve(spec: string, fromFile: string): string | undefined;
}

/** One program that reaches the analysed file: a file nothing else imports. */
export interface Context {
  file: string;
  /** `package.json` names it (main, bin, a script), a test, or any other importing program. */
  kind: 'entry' | 'program' | 'test';
}

const TEST_PATH = /(^|[\\/])(__tests__|__test__|tests?|spec|e2e)[\\/]|[._-](test|spec)\.[cm]?[jt]sx?$|_test\.[cm]?[jt]sx?$/;

/** A test file by its path: a `*.test.*`/`*.spec.*`/`*_test.*` file or one under `test/`, `__tests__/`. */
export function isTestFile(file: string, root: string): boolean {
  return TEST_PATH.test(path.relative(root, file));
}

/**
 * The project folder of `file`: the nearest folder above it with a `package.json`, else
 * with a `.git`, else the file's own folder.
 */
export function projectRoot(file: string, exists: (p: string) => boolean): string {
  let gitRoot: string | undefined;
  for (let dir = path.dirname(file); ; ) {
    if (exists(path.join(dir, 'package.json'))) return dir;
    if (!gitRoot && exists(path.join(dir, '.git'))) gitRoot = dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return gitRoot ?? path.dirname(file);
}

/** The relative import specifiers of a file's text (imports, re-exports, require, dynamic import). */
function importSpecifiers(text: string, file: string): string[] {
  const info = ts.preProcessFile(text, true, /\.[cm]?jsx?$/.test(file));
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

/**
 * Source files of projects and their imports, kept between analyses. Disk listings and
 * imports are cached until `invalidate()` (files created, deleted or changed on disk); an
 * overlay's (open editor's) imports are recomputed when its text changes.
 */
export class Workspace {
  private readonly listings = new Map<string, string[]>();
  /** Per file: what its imports were read from (an overlay's text, or the disk file's mtime and size). */
  private readonly imports = new Map<string, { key: string; resolved: string[] }>();
  private readonly packageEntries = new Map<string, Set<string>>();
  /** Disk files' identities, read once until `invalidate()`, like the listings. */
  private readonly diskKeys = new Map<string, string | undefined>();

  /** A disk file's text changed: its imports are read again. */
  changed(file: string): void {
    this.diskKeys.delete(file);
    if (path.basename(file) === 'package.json') this.packageEntries.delete(path.dirname(file));
  }

  /** A document closed: its imports were read from the editor's text, kept no longer. */
  forget(file: string): void {
    const cached = this.imports.get(file);
    if (cached?.key.startsWith('text:')) this.imports.delete(file);
  }

  invalidate(): void {
    this.diskKeys.clear();
    this.listings.clear();
    this.imports.clear();
    this.packageEntries.clear();
  }

  /** Source files under `root` (sorted), open editors' files under it included. */
  files(root: string, host: WorkspaceHost): string[] {
    let disk = this.listings.get(root);
    if (!disk) {
      disk = listSources(root);
      this.listings.set(root, disk);
    }
    const overlay = [...(host.overlay?.keys() ?? [])].filter((f) => isUnder(f, root) && SOURCE_EXTENSIONS.includes(path.extname(f)));
    if (overlay.every((f) => disk.includes(f))) return disk;
    return [...new Set([...disk, ...overlay])].sort();
  }

  /** Files `file` imports (resolved, inside the workspace). */
  importsOf(file: string, host: WorkspaceHost): string[] {
    const open = host.overlay?.get(file);
    const key = open !== undefined ? `text:${open}` : this.diskKey(file);
    if (key === undefined) return [];
    const cached = this.imports.get(file);
    if (cached && cached.key === key) return cached.resolved;
    const text = open ?? readText(file);
    let resolved: string[] = [];
    try {
      if (text !== undefined) resolved = [...new Set(importSpecifiers(text, file).map((s) => host.resolve(s, file)).filter((f): f is string => f !== undefined))];
    } catch {
      resolved = [];
    }
    this.imports.set(file, { key, resolved });
    return resolved;
  }

  /**
   * The programs a real run of the project reaches `file` through: files that import it,
   * directly or through other files, and that no file imports in turn. Ordered by how
   * likely a run starts there: package.json entries, other programs, tests last; by path
   * within each kind, so the order never depends on how the analysis was asked for.
   */
  contexts(file: string, host: WorkspaceHost, exists: (p: string) => boolean): { root: string; contexts: Context[]; importers: Set<string> } {
    const root = projectRoot(file, exists);
    const files = this.files(root, host);
    const importedBy = new Map<string, string[]>();
    for (const f of files) {
      for (const target of this.importsOf(f, host)) {
        const list = importedBy.get(target);
        if (list) list.push(f);
        else importedBy.set(target, [f]);
      }
    }
    const importers = new Set<string>();
    const queue = [file];
    while (queue.length) {
      const f = queue.pop()!;
      for (const g of importedBy.get(f) ?? []) {
        if (g !== file && !importers.has(g)) {
          importers.add(g);
          queue.push(g);
        }
      }
    }
    const roots = [...importers].filter((g) => !(importedBy.get(g) ?? []).some((h) => h !== g && h !== file));
    const entries = this.entriesOf(root, host);
    const kindOf = (g: string): Context['kind'] => (entries.has(g) ? 'entry' : isTestFile(g, root) ? 'test' : 'program');
    const rank = { entry: 0, program: 1, test: 2 };
    const contexts = roots
      .map((g) => ({ file: g, kind: kindOf(g) }))
      .sort((a, b) => rank[a.kind] - rank[b.kind] || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
      .slice(0, MAX_CONTEXTS);
    return { root, contexts, importers };
  }

  private diskKey(file: string): string | undefined {
    if (!this.diskKeys.has(file)) this.diskKeys.set(file, diskKey(file));
    return this.diskKeys.get(file);
  }

  /** Files `package.json` starts: `main`, `bin`, and the files its scripts run with node/ts-node/tsx. */
  private entriesOf(root: string, host: WorkspaceHost): Set<string> {
    let found = this.packageEntries.get(root);
    if (found) return found;
    found = new Set();
    this.packageEntries.set(root, found);
    const pkgFile = path.join(root, 'package.json');
    const text = host.overlay?.get(pkgFile) ?? readText(pkgFile);
    if (text === undefined) return found;
    let pkg: { main?: unknown; bin?: unknown; scripts?: unknown };
    try {
      pkg = JSON.parse(text);
    } catch {
      return found;
    }
    const named: string[] = [];
    if (typeof pkg.main === 'string') named.push(pkg.main);
    if (typeof pkg.bin === 'string') named.push(pkg.bin);
    else if (pkg.bin && typeof pkg.bin === 'object') named.push(...Object.values(pkg.bin).filter((v): v is string => typeof v === 'string'));
    if (pkg.scripts && typeof pkg.scripts === 'object') {
      for (const script of Object.values(pkg.scripts)) {
        if (typeof script !== 'string') continue;
        for (const m of script.matchAll(/(?:^|[\s;&|])(?:node|ts-node|tsx|babel-node|nodemon|bun|deno run)(?:\s+-{1,2}[\w-]+(?:[= ][^\s-][^\s]*)?)*\s+([^\s;&|]+)/g)) {
          named.push(m[1]);
        }
      }
    }
    for (const n of named) {
      const base = path.resolve(root, n);
      const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => base + e), ...SOURCE_EXTENSIONS.map((e) => path.join(base, `index${e}`))];
      // A compiled entry (`dist/train.js`) stands for its source when only the source is here.
      const m = /\.(m|c)?js$/.exec(base);
      if (m) candidates.push(...['.ts', '.tsx', '.mts', '.cts'].map((e) => base.slice(0, -m[0].length) + e));
      const hit = candidates.find((c) => host.overlay?.has(c) || this.diskKey(c) !== undefined);
      if (hit) found.add(hit);
    }
    return found;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A disk file's identity for caching (mtime and size); undefined when it is not a file. */
function diskKey(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? `disk:${st.mtimeMs}:${st.size}` : undefined;
  } catch {
    return undefined;
  }
}

function isUnder(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Source files under `root`, sorted; dependency and dot folders skipped, bounded in count and size. */
function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(p);
      } else if (e.isFile() && SOURCE_EXTENSIONS.includes(path.extname(e.name)) && !e.name.endsWith('.d.ts') && !/\.min\.[cm]?js$/.test(e.name)) {
        try {
          if (fs.statSync(p).size <= MAX_FILE_BYTES) out.push(p);
        } catch {
          /* vanished */
        }
      }
    }
  };
  walk(root);
  return out.sort();
}
