/**
 * Concept explanations in hovers, from src/explain (bilingual: English, Simplified Chinese).
 *
 * `explainerFor(language)` returns what the hover appends under a layer's numbers: the
 * layer class's short explanation (title and one-line summary) in the client's display
 * language (LSP `initialize` `locale`, or `initializationOptions.locale`), chosen per server
 * rather than through the process-wide l10n bundle.
 */
import { explainLayer, resolveLocale } from '../explain/index';

export type Explainer = (className: string) => string | undefined;

export function explainerFor(language: string | undefined): Explainer {
  const locale = resolveLocale(language);
  return (className) => {
    const e = explainLayer(className, locale);
    return e ? `**${e.title}**\n\n${e.summary}` : undefined;
  };
}
