/**
 * The command line of the default run (`node script.js`, no arguments): `process.argv`
 * and the option parsers programs read it with (argparse 1.x and 2.x, commander, yargs,
 * minimist). An option the program gives a default gets that default, as it does in that
 * run; anything else a user could pass is an `AbsentArgument`: unknown (it is known only at
 * run time), except that `arg ?? d`, `arg || d` and a destructuring default `{ x = d }` take
 * the default, as the default run does.
 */
import { HostValue, NativeFunction, ObjectValue, UnknownValue, type Value, isCallable, unknown } from './values';

/** A command-line argument: not given in the default run, known only at run time otherwise. */
export class AbsentArgument extends UnknownValue {}

function absent(what: string): AbsentArgument {
  return new AbsentArgument(`${what} is given on the command line (the default run gives none)`);
}

function native(name: string, impl: NativeFunction['impl'], construct?: NativeFunction['construct']): NativeFunction {
  return new NativeFunction(name, impl, construct);
}

/** `process.argv`, or the user's part of it (`process.argv.slice(2)`, `hideBin(process.argv)`). */
export class ArgvValue extends HostValue {
  readonly hostKind = 'process.argv';
  constructor(
    /** Index of the first user argument in this list (2 for process.argv itself, 0 for its tail). */
    readonly userFrom: number,
  ) {
    super();
  }

  getProp(name: string): Value {
    if (/^(0|[1-9]\d*)$/.test(name)) {
      const i = Number(name);
      if (i < this.userFrom) return unknown(i === 0 ? 'the path of node' : 'the path of the script');
      return absent(`process.argv[${i - this.userFrom + 2}]`);
    }
    if (name === 'slice') {
      return native('argv.slice', (_t, [start]) => (start === this.userFrom ? new ArgvValue(0) : unknown('a part of process.argv')));
    }
    return unknown(`process.argv.${name} is known only at run time`);
  }
}

/** Is `v` the command line of the default run (or left out: the parsers read process.argv then)? */
function isCommandLine(v: Value, fromStart: boolean): boolean {
  if (v === undefined) return true;
  return v instanceof ArgvValue && v.userFrom === (fromStart ? 2 : 0);
}

/** Parsed options: the known ones, and every other name an argument not given. */
class ParsedArgs extends HostValue {
  readonly hostKind = 'parsed command-line arguments';
  constructor(private readonly known: Map<string, Value>) {
    super();
  }

  getProp(name: string): Value {
    if (this.known.has(name)) return this.known.get(name);
    return absent(`option '${name}'`);
  }
}

const camel = (s: string) => s.replace(/-+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());

/* ------------------------------------------------------------------ minimist */

function asList(v: Value): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** minimist(args, { default, boolean, alias }): booleans are false, defaults copied to their aliases. */
function minimist(args: Value, opts: Value): Value {
  if (!isCommandLine(args, false)) return unknown('minimist() of arguments not known statically');
  const known = new Map<string, Value>([['_', []]]);
  if (!(opts instanceof ObjectValue) && opts !== undefined) return unknown('minimist() options not known statically');
  const o = opts instanceof ObjectValue ? opts.props : new Map<string, Value>();
  const aliases = new Map<string, string[]>();
  const alias = o.get('alias');
  if (alias instanceof ObjectValue) {
    for (const [k, v] of alias.props) {
      const names = [k, ...asList(v)];
      for (const n of names) aliases.set(n, names.filter((x) => x !== n));
    }
  }
  const set = (k: string, v: Value) => {
    known.set(k, v);
    for (const a of aliases.get(k) ?? []) known.set(a, v);
  };
  const booleans = o.get('boolean');
  if (booleans !== true) for (const b of asList(booleans)) set(b, false);
  const defaults = o.get('default');
  if (defaults instanceof ObjectValue) for (const [k, v] of defaults.props) set(k, v);
  return new ParsedArgs(known);
}

/* ------------------------------------------------------------------ yargs */

/** A yargs instance: every builder method returns it; `.argv` / `.parse()` give the default run's options. */
class YargsValue extends HostValue {
  readonly hostKind = 'yargs';
  private readonly known = new Map<string, Value>();
  private readonly aliases = new Map<string, string[]>();

  constructor(private readonly usable: boolean) {
    super();
  }

  private names(key: string): string[] {
    const out = new Set<string>([key, camel(key)]);
    for (const a of this.aliases.get(key) ?? []) {
      out.add(a);
      out.add(camel(a));
    }
    return [...out];
  }

  private option(key: Value, cfg: Value): void {
    if (typeof key !== 'string') return;
    if (!(cfg instanceof ObjectValue)) return;
    const alias = cfg.props.get('alias') ?? cfg.props.get('aliases');
    if (alias !== undefined) this.aliases.set(key, [...(this.aliases.get(key) ?? []), ...asList(alias)]);
    if (cfg.props.has('default')) this.setDefault(key, cfg.props.get('default'));
    // A flag not given is left out of argv: undefined (falsy), not a value the user must pass.
    else if (cfg.props.get('type') === 'boolean' || cfg.props.get('boolean') === true) this.setDefault(key, undefined);
  }

  private setDefault(key: string, v: Value): void {
    for (const n of this.names(key)) this.known.set(n, v);
  }

  private result(): Value {
    if (!this.usable) return unknown('yargs parsing arguments not known statically');
    const known = new Map<string, Value>([['_', []], ['$0', unknown('the script name')], ...this.known]);
    return new ParsedArgs(known);
  }

  getProp(name: string): Value {
    switch (name) {
      case 'argv':
        return this.result();
      case 'parse':
      case 'parseSync':
      case 'parseAsync':
        return native(`yargs.${name}`, (_t, [args]) => (args === undefined || isCommandLine(args, false) ? this.result() : unknown('yargs parsing arguments not known statically')));
      case 'option':
      case 'options':
        return native(`yargs.${name}`, (_t, [key, cfg]) => {
          if (key instanceof ObjectValue) for (const [k, c] of key.props) this.option(k, c);
          else this.option(key, cfg);
          return this;
        });
      case 'default':
        return native('yargs.default', (_t, [key, v]) => {
          if (key instanceof ObjectValue) for (const [k, x] of key.props) this.setDefault(k, x);
          else if (typeof key === 'string') this.setDefault(key, v);
          return this;
        });
      case 'alias':
        return native('yargs.alias', (_t, [key, a]) => {
          if (typeof key === 'string') {
            this.aliases.set(key, [...(this.aliases.get(key) ?? []), ...asList(a)]);
            if (this.known.has(key)) this.setDefault(key, this.known.get(key));
          }
          return this;
        });
      case 'boolean':
        return native('yargs.boolean', (_t, [keys]) => {
          for (const k of asList(keys)) if (!this.known.has(k)) this.setDefault(k, undefined);
          return this;
        });
      case 'then':
        return undefined;
      default:
        // usage, help, describe, number, boolean, demandOption, strict, command, …: chainable.
        return native(`yargs.${name}`, () => this);
    }
  }
}

/** `require('yargs')`: callable with the arguments (`yargs(hideBin(process.argv))`), and itself an instance over process.argv. */
function yargsModule(): Value {
  const factory = native('yargs', (_t, [args]) => new YargsValue(isCommandLine(args, false)));
  const instance = new YargsValue(true);
  factory.props = new Map<string, Value>();
  for (const m of ['argv', 'option', 'options', 'default', 'alias', 'parse', 'parseSync', 'usage', 'help', 'command', 'describe', 'number', 'boolean', 'string', 'demandOption', 'strict', 'version']) {
    factory.props.set(m, instance.getProp(m));
  }
  factory.props.set('default', factory);
  return factory;
}

/* ------------------------------------------------------------------ commander */

/** The attribute commander stores an option under: the long flag in camelCase; `--no-x` is `x`, true by default. */
function commanderOption(flags: string): { key: string; negate: boolean; takesValue: boolean } | undefined {
  const long = /--([a-zA-Z0-9][\w-]*)/.exec(flags)?.[1] ?? /(?:^|[\s,|])-([a-zA-Z0-9])\b/.exec(flags)?.[1];
  if (!long) return undefined;
  const negate = long.startsWith('no-');
  return { key: camel(negate ? long.slice(3) : long), negate, takesValue: /[<[]/.test(flags) };
}

class CommanderValue extends HostValue {
  readonly hostKind = 'commander';
  private readonly known = new Map<string, Value>();
  private parsed = false;
  private usable = true;

  constructor(
    /** Options read as properties of the command (commander before v7, or storeOptionsAsProperties()). */
    private asProperties: boolean,
  ) {
    super();
  }

  private addOption(args: Value[], mandatory: boolean): void {
    const [flags, , third, fourth] = args;
    if (typeof flags !== 'string') return;
    const o = commanderOption(flags);
    if (!o) return;
    // `.option(flags, description, default)` or `.option(flags, description, parser, default)`:
    // commander does not run the parser on the default.
    const def = isCallable(third) ? fourth : third;
    if (def !== undefined) this.known.set(o.key, def);
    else if (o.negate) this.known.set(o.key, true);
    // A flag without a value, not given: undefined (falsy). An option taking a value stays for the user to give.
    else if (!o.takesValue && !mandatory) this.known.set(o.key, undefined);
    else this.known.delete(o.key);
  }

  private opts(): Value {
    if (!this.usable) return unknown('options parsed from arguments not known statically');
    return new ParsedArgs(new Map(this.known));
  }

  getProp(name: string): Value {
    switch (name) {
      case 'option':
      case 'requiredOption':
        return native(`command.${name}`, (_t, args) => {
          this.addOption(args, name === 'requiredOption');
          return this;
        });
      case 'parse':
      case 'parseAsync':
        return native(`command.${name}`, (_t, [argv, opts]) => {
          const from = opts instanceof ObjectValue ? opts.props.get('from') : undefined;
          this.usable = from === 'user' ? isCommandLine(argv, false) : isCommandLine(argv, true);
          this.parsed = true;
          return this;
        });
      case 'opts':
      case 'optsWithGlobals':
        return native(`command.${name}`, () => this.opts());
      case 'storeOptionsAsProperties':
        return native('command.storeOptionsAsProperties', (_t, [on]) => {
          this.asProperties = on !== false;
          return this;
        });
      case 'args':
        return this.usable ? [] : unknown('command arguments');
      case 'action':
      case 'then':
        return native(`command.${name}`, () => this);
      default:
        if (this.asProperties && this.parsed) return this.usable ? (this.known.has(name) ? this.known.get(name) : absent(`option '${name}'`)) : unknown(`option '${name}'`);
        // version, description, name, usage, argument, command, helpOption, …: chainable.
        return native(`command.${name}`, () => this);
    }
  }
}

function commanderModule(): Value {
  // Old commander (before v5) is itself the program, options stored as its properties.
  const program = new CommanderValue(false);
  const legacy = new CommanderValue(true);
  const exports = new LegacyCommander(legacy);
  const Command = native('Command', () => new CommanderValue(false), () => new CommanderValue(false));
  exports.members.set('program', program);
  exports.members.set('Command', Command);
  exports.members.set('createCommand', native('createCommand', () => new CommanderValue(false)));
  exports.members.set('default', exports);
  return exports;
}

class LegacyCommander extends HostValue {
  readonly hostKind = 'commander';
  readonly members = new Map<string, Value>();
  constructor(private readonly legacy: CommanderValue) {
    super();
  }

  getProp(name: string): Value {
    return this.members.has(name) ? this.members.get(name) : this.legacy.getProp(name);
  }
}

/* ------------------------------------------------------------------ argparse */

/**
 * argparse (1.x `addArgument(flags, {defaultValue, action: 'storeTrue'})` and 2.x
 * `add_argument('--x', {default, action: 'store_true'})`): the destination is the first long
 * flag with '-' as '_' (or `dest`); a string default is converted by an 'int'/'float' type,
 * as argparse does. An option left out is null in 1.x and undefined in 2.x.
 */
class ArgumentParserValue extends HostValue {
  readonly hostKind = 'ArgumentParser';
  private readonly known = new Map<string, Value>();

  private addArgument(args: Value[], version: 1 | 2): void {
    const flagList: string[] = [];
    let cfg: Value;
    for (const a of args) {
      if (typeof a === 'string') flagList.push(a);
      else if (Array.isArray(a)) flagList.push(...asList(a));
      else cfg = a;
    }
    const c = cfg instanceof ObjectValue ? cfg.props : new Map<string, Value>();
    const long = flagList.find((f) => f.startsWith('--')) ?? flagList.find((f) => f.startsWith('-'));
    const destGiven = c.get('dest');
    const dest = typeof destGiven === 'string' ? destGiven : long ? long.replace(/^-+/, '').replace(/-/g, '_') : undefined;
    // A positional argument: required, so the default run stops with a usage error (unless nargs '?' with a default).
    if (!dest || !long) {
      if (flagList[0] && c.get('nargs') === '?' && c.has(version === 1 ? 'defaultValue' : 'default')) this.known.set(flagList[0], c.get(version === 1 ? 'defaultValue' : 'default'));
      return;
    }
    const action = c.get('action');
    const hasDefault = c.has(version === 1 ? 'defaultValue' : 'default') || c.has('default') || c.has('defaultValue');
    let def: Value = c.has('default') ? c.get('default') : c.has('defaultValue') ? c.get('defaultValue') : version === 1 ? null : undefined;
    if (!hasDefault && (action === 'storeTrue' || action === 'store_true')) def = false;
    if (!hasDefault && (action === 'storeFalse' || action === 'store_false')) def = true;
    if (c.get('required') === true) return;
    const type = c.get('type');
    if (typeof def === 'string' && type === 'int') def = Number.parseInt(def, 10);
    else if (typeof def === 'string' && type === 'float') def = Number.parseFloat(def);
    else if (typeof def === 'string' && type instanceof NativeFunction && ['Number', 'parseInt', 'parseFloat'].includes(type.name)) def = type.impl(undefined, [def], { node: undefined as never });
    else if (typeof def === 'string' && type !== undefined && type !== 'string' && !(type instanceof NativeFunction && type.name === 'String')) def = unknown(`the default of ${long} converted by its type`);
    this.known.set(dest, def);
  }

  getProp(name: string): Value {
    switch (name) {
      case 'addArgument':
      case 'add_argument':
        return native(`parser.${name}`, (_t, args) => {
          this.addArgument(args, name === 'addArgument' ? 1 : 2);
          return undefined;
        });
      case 'parseArgs':
      case 'parse_args':
      case 'parseKnownArgs':
      case 'parse_known_args':
        return native(`parser.${name}`, (_t, [argv]) => {
          if (!isCommandLine(argv, false)) return unknown('arguments parsed from a list not known statically');
          const ns = new ParsedArgs(new Map(this.known));
          return /known/i.test(name) ? [ns, []] : ns;
        });
      default:
        // add_argument_group / addArgumentGroup, add_mutually_exclusive_group: the parser itself adds the arguments.
        if (/^add_?(argument_?group|mutually_?exclusive_?group)$/i.test(name)) return native(`parser.${name}`, () => this);
        return native(`parser.${name}`, () => undefined);
    }
  }
}

function argparseModule(): Value {
  const ctor = native('ArgumentParser', () => new ArgumentParserValue(), () => new ArgumentParserValue());
  const mod = new ObjectValue();
  mod.props.set('ArgumentParser', ctor);
  mod.props.set('default', mod);
  return mod;
}

/* ------------------------------------------------------------------ entry points */

/** The value of an option-parsing package, or undefined when `spec` is not one. */
export function cliArgsModule(spec: string): Value | undefined {
  switch (spec) {
    case 'minimist': {
      const f = native('minimist', (_t, [args, opts]) => minimist(args, opts));
      f.props = new Map<string, Value>([['default', f]]);
      return f;
    }
    case 'yargs':
    case 'yargs/yargs':
      return yargsModule();
    case 'yargs/helpers': {
      const hideBin = native('hideBin', (_t, [argv]) => (argv instanceof ArgvValue && argv.userFrom === 2 ? new ArgvValue(0) : unknown('arguments not known statically')));
      return ObjectValue.from({ hideBin });
    }
    case 'commander':
      return commanderModule();
    case 'argparse':
      return argparseModule();
    default:
      return undefined;
  }
}
