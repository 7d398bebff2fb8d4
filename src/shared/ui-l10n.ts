/**
 * How the pure modules of the extension's UI (src/client/model-tree.ts, lr-range-config.ts) get
 * their texts translated without importing `vscode`: they take a `UiL10n`, the shape of
 * `vscode.l10n`, and call its `t` with the English text (placeholders `{0}`, `{1}`…) and the
 * values. The extension host passes `vscode.l10n` itself (the display language's bundle,
 * l10n/bundle.l10n.zh-cn.json); the unit tests use `ENGLISH`, which fills in the placeholders
 * as `vscode.l10n.t` does for English.
 *
 * No `vscode` or DOM import.
 */

export interface UiL10n {
  /** The text of `message` (an English source string) in the display language, `{0}`, `{1}`… replaced by `args`. */
  t(message: string, ...args: Array<string | number>): string;
}

/** English: the message itself with `{n}` replaced by the n-th argument (a placeholder without an argument stays). */
export const ENGLISH: UiL10n = {
  t: (message, ...args) =>
    message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole)),
};
