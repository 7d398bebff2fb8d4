/**
 * The option parsing the `layer-lens` training commands share (`train`, `train --script`,
 * `lr-range`): `--name value`, `--name=value` and boolean `--name` flags, anything else
 * positional; each command says which flags it takes and what its positional arguments are.
 */

export type Flags = Map<string, string | true>;

/** The flags and positional arguments, or the usage error: a missing value, an unknown option. */
export function parseFlags(
  args: readonly string[],
  valueFlags: ReadonlySet<string>,
  boolFlags: ReadonlySet<string>,
): { flags: Flags; positional: string[] } | string {
  const flags: Flags = new Map();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (valueFlags.has(name)) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (value === undefined) return `${name} needs a value`;
      flags.set(name, value);
    } else if (boolFlags.has(a)) flags.set(a, true);
    else if (a.startsWith('--')) return `unknown option ${a}`;
    else positional.push(a);
  }
  return { flags, positional };
}

/** Exactly one file among the positional arguments, or the usage error. */
export function oneFile(positional: readonly string[]): string | { error: string } {
  if (positional.length === 1) return positional[0];
  return { error: positional.length ? `one file at a time (got ${positional.join(', ')})` : 'no file given' };
}

/** A flag's value as a whole number ≥ 1; undefined when absent; the usage error when not. */
export function positiveIntFlag(flags: Flags, name: string): number | undefined | string {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? n : `${name} must be a positive integer (got ${String(v)})`;
}
