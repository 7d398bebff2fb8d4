/**
 * HOOK for concept explanations in hovers (src/explain, written separately).
 *
 * `explainerFor(locale)` returns the function the hover appends under a layer's numbers:
 * className → short markdown, in the client's language. Until src/explain is wired in
 * here it returns undefined and hovers show the numbers only.
 */
export type Explainer = (className: string) => string | undefined;

export function explainerFor(_locale: string): Explainer | undefined {
  return undefined;
}
