/**
 * The language server's own texts (CodeLens titles, hover labels, inlay-hint words, quick-fix
 * titles, diagnostic messages) in the client's locale. The feature functions take a `UiL10n`
 * (default `ENGLISH`) and call `l10n.t` with the English text, as the extension host's pure
 * modules do; the server passes `serverL10n(locale)` with the locale of the `initialize`
 * request. The Chinese texts are in l10n/bundle.l10n.zh-cn.json (keyed by the English text),
 * looked up per call by src/explain/l10n.ts: no process-wide locale.
 *
 * Pure: no vscode import, no I/O.
 */
import { type ExplainLocale, translate } from '../../explain/l10n';
import { ENGLISH, type UiL10n } from '../../shared/ui-l10n';

export type { UiL10n };
export { ENGLISH };

/** The texts of `locale`: English as written, or the bundle's translation with `{n}` filled in. */
export function serverL10n(locale: ExplainLocale | undefined): UiL10n {
  if (locale === undefined || locale === 'en') return ENGLISH;
  return { t: (message, ...args) => ENGLISH.t(translate(message, locale), ...args) };
}

/** `unknown` (from ./format) in the display language; any other text as it is. */
export function unknownIn(l10n: UiL10n, text: string): string {
  return text === 'unknown' ? l10n.t('unknown') : text;
}
