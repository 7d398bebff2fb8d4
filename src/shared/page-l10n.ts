/**
 * The texts of the summary and training pages (webviews) in the display language. The
 * extension host names the locale in the message that shows the page (`init`, `show`, `empty`;
 * `resolveLocale(vscode.env.language)`), validated like every field; the page then reads its
 * texts through `t('English text with {0}', value)`. English is the text itself, so an English
 * page reads exactly as it always has; Chinese comes from the page's own table, keyed by the
 * English text (src/webview/training/strings.ts, src/webview/summary/strings.ts), and falls back
 * to the English text for a key it lacks. test/unit/l10n-pages.test.ts checks that every `t`
 * literal of a page has its Chinese text with the same placeholders.
 *
 * No `vscode` or DOM import.
 */
import { ENGLISH, type UiL10n } from './ui-l10n';

export type PageLocale = 'en' | 'zh-cn';
export const PAGE_LOCALES: readonly PageLocale[] = ['en', 'zh-cn'];

/** The texts of a page in `locale`: English (the keys themselves) or the page's Chinese table. */
export function pageL10n(zh: Readonly<Record<string, string>>, locale: PageLocale | undefined): UiL10n {
  if (locale !== 'zh-cn') return ENGLISH;
  return { t: (message, ...args) => ENGLISH.t(Object.prototype.hasOwnProperty.call(zh, message) ? zh[message] : message, ...args) };
}

/**
 * A page's current texts: `t` reads the locale set last (English until the first message that
 * names one). One page per webview, so the page keeps it in a module of its own.
 */
export function pageText(zh: Readonly<Record<string, string>>): {
  t: (message: string, ...args: Array<string | number>) => string;
  setLocale: (locale: PageLocale | undefined) => boolean;
  locale: () => PageLocale;
} {
  let current: PageLocale = 'en';
  let texts: UiL10n = ENGLISH;
  return {
    t: (message, ...args) => texts.t(message, ...args),
    /** Returns whether the locale changed. */
    setLocale: (locale) => {
      const next = locale ?? 'en';
      if (next === current) return false;
      current = next;
      texts = pageL10n(zh, next);
      return true;
    },
    locale: () => current,
  };
}
