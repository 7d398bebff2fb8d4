/**
 * Localisation of the concept catalogue (English source strings, Simplified Chinese bundle).
 *
 * ## Why both bundles are loaded and the locale is chosen per call
 *
 * `@vscode/l10n` keeps one bundle per process: `l10n.config(...)` stores it in a module-level
 * variable and every `l10n.t(english)` reads that variable. That fits the extension host, whose
 * display language is fixed for its lifetime. A language server is different: the display language
 * belongs to the client (the `locale` of the LSP `initialize` request), the same process may serve
 * clients with different languages (tests run many in one process), and requests interleave across
 * `await`s. Calling `l10n.config` per request would make one request's language leak into every
 * later `l10n.t` call in the process, including strings owned by other parts of the server.
 *
 * So this module reads and writes no global state on the per-call path: both bundles are plain data
 * held in memory (English is the source text itself; the zh-cn bundle is imported from
 * `l10n/bundle.l10n.zh-cn.json` and inlined by esbuild), and `translate(message, locale)` picks the
 * bundle for that one call, using the same lookup rule as `l10n.t` (the key is the English text; the
 * value is a string or `{ message, comment }`). The caller decides the locale per request, e.g. with
 * `resolveLocale(initializeParams.locale)`.
 *
 * Passing no locale defers to the process-wide `@vscode/l10n` bundle (`l10n.t`), for a process that
 * configured it once at start-up, e.g. `l10n.config({ contents: vscode.l10n.bundle ?? {} })` in the
 * extension host or `l10n.config({ fsPath: process.env.VSCODE_L10N_BUNDLE_LOCATION })` in a server
 * started by it. Unconfigured, that route returns the English text.
 *
 * The same bundle file serves VS Code itself: package.json names `./l10n` as the extension's l10n
 * folder, so `vscode.l10n.t` in the extension host finds the Chinese strings there too.
 *
 * Pure: no vscode import, no I/O.
 */
import * as l10n from '@vscode/l10n';
import type { l10nJsonFormat } from '@vscode/l10n';
import zhCnBundle from '../../l10n/bundle.l10n.zh-cn.json';

/** The locales the catalogue is written in. */
export type ExplainLocale = 'en' | 'zh-cn';

export const EXPLAIN_LOCALES: readonly ExplainLocale[] = ['en', 'zh-cn'];

/**
 * One bundle per locale, loaded once. English has none: its strings are the keys themselves.
 * Frozen so that no caller can turn a shared bundle into per-request state.
 */
const BUNDLES: Readonly<Record<ExplainLocale, Readonly<l10nJsonFormat> | undefined>> = Object.freeze({
  en: undefined,
  'zh-cn': Object.freeze({ ...(zhCnBundle as l10nJsonFormat) }),
});

/** The translation bundle of a locale (undefined for English, the source language). */
export function bundleFor(locale: ExplainLocale): Readonly<l10nJsonFormat> | undefined {
  return BUNDLES[locale];
}

/**
 * The text of `message` (an English source string) in `locale`; the English text when the bundle
 * has no entry. With `locale` undefined, the process-wide `@vscode/l10n` bundle decides (`l10n.t`).
 */
export function translate(message: string, locale: ExplainLocale | undefined): string {
  // No args are passed to l10n.t, so braces in the text (`tf.input({shape})`) are left alone.
  if (locale === undefined) return l10n.t(message);
  const bundle = BUNDLES[locale];
  if (bundle === undefined || !Object.prototype.hasOwnProperty.call(bundle, message)) return message;
  const hit = bundle[message];
  if (typeof hit === 'string') return hit.length > 0 ? hit : message;
  return hit.message.length > 0 ? hit.message : message;
}

/**
 * The catalogue locale for a VS Code display language (`vscode.env.language`, the LSP
 * `initialize` `locale`): Simplified Chinese variants (`zh-cn`, `zh-CN`, `zh-hans`, `zh-sg`, `zh`)
 * give 'zh-cn'; everything else, Traditional Chinese included, gives English, as VS Code itself
 * does when an extension has no bundle for the display language.
 */
export function resolveLocale(language: string | undefined | null): ExplainLocale {
  if (!language) return 'en';
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-sg' || tag === 'zh-hans' || tag.startsWith('zh-hans-')) return 'zh-cn';
  return 'en';
}
