/**
 * `dist/train-typescript.js`: the TypeScript compiler's transpileModule, bundled for the
 * preload's last-resort transpiler (transpile.ts) when neither esbuild nor typescript can be
 * found next to Layer Lens or in the user's project. Loaded only then (~3.5 MB).
 */
export { JsxEmit, ModuleKind, ScriptTarget, transpileModule, version } from 'typescript';
