/**
 * Lexical scopes, and the journal that lets the interpreter follow both branches of
 * a condition it cannot decide: every write made while a branch runs is recorded,
 * read back, undone, and finally the two outcomes are joined.
 */
import { ObjectValue, type Value, join } from './values';

export interface Binding {
  value: Value;
  readonly constant: boolean;
}

/**
 * State outside the interpreter's values that an undecided branch may change (a model's list
 * of layers): the journal saves it before the branch, restores it, and joins both outcomes.
 */
export interface JournaledHost {
  /** The undecided branches already open when the object was created: they do not undo it. */
  readonly bornIn: readonly unknown[];
  snapshot(): unknown;
  restore(state: unknown): void;
  /** The state after a condition whose two sides left `a` and `b`. */
  join(a: unknown, b: unknown): unknown;
}

class HostSnapshot {
  constructor(readonly state: unknown) {}
}

type Slot =
  | { kind: 'binding'; target: Binding }
  | { kind: 'prop'; target: ObjectValue; key: string }
  | { kind: 'array'; target: Value[] }
  | { kind: 'host'; target: JournaledHost };

interface Entry {
  slot: Slot;
  old: Value | Value[] | typeof ABSENT | HostSnapshot;
}

const ABSENT = Symbol('absent');

export class Journal {
  private readonly frames: Entry[][] = [];
  /** Arrays (and hosts) already copied in each frame: only the first copy (the state before the branch) is ever read. */
  private readonly touched: Set<unknown>[] = [];

  get active(): boolean {
    return this.frames.length > 0;
  }

  /** Depth of undecided conditions we are inside (models use it to flag uncertain layers). */
  get depth(): number {
    return this.frames.length;
  }

  writeBinding(b: Binding, value: Value): void {
    this.top()?.push({ slot: { kind: 'binding', target: b }, old: b.value });
    b.value = value;
  }

  writeProp(o: ObjectValue, key: string, value: Value): void {
    this.top()?.push({ slot: { kind: 'prop', target: o, key }, old: o.props.has(key) ? o.props.get(key) : ABSENT });
    o.props.set(key, value);
  }

  /** Call before mutating an array in place (push, splice, index write). */
  touchArray(a: Value[]): void {
    const top = this.top();
    if (!top) return;
    // Copying on every push would make a loop of pushes under a condition quadratic in time and memory.
    const touched = this.touched[this.touched.length - 1];
    if (touched.has(a)) return;
    touched.add(a);
    top.push({ slot: { kind: 'array', target: a }, old: a.slice() });
  }

  /** Call before changing a host's journaled state. */
  touchHost(h: JournaledHost): void {
    const top = this.top();
    // A host created inside the open branch did not exist before it: nothing to undo.
    if (!top || h.bornIn.includes(top)) return;
    const touched = this.touched[this.touched.length - 1];
    if (touched.has(h)) return;
    touched.add(h);
    top.push({ slot: { kind: 'host', target: h }, old: new HostSnapshot(h.snapshot()) });
  }

  /** The undecided branches open now (a host created now records them as its `bornIn`). */
  openBranches(): readonly unknown[] {
    return [...this.frames];
  }

  /**
   * Runs `a` and `b` as the two sides of an undecidable branch and leaves every slot
   * either wrote holding the join of both outcomes.
   */
  both(a: () => void, b: () => void, reason: string, choose: () => 'a' | 'b' | 'join' = () => 'join'): void {
    const outA = this.runUndone(a);
    const outB = this.runUndone(b);
    const pick = choose();
    const slots = new Map<unknown, { slot: Slot; old: Entry['old']; a?: Entry['old']; b?: Entry['old'] }>();
    for (const [side, out] of [['a', outA], ['b', outB]] as const) {
      for (const { slot, old, now } of out) {
        const key = slotKey(slot);
        let rec = slots.get(key);
        if (!rec) slots.set(key, (rec = { slot, old }));
        rec[side] = now;
      }
    }
    for (const rec of slots.values()) {
      const va = rec.a === undefined ? rec.old : rec.a;
      const vb = rec.b === undefined ? rec.old : rec.b;
      const joined =
        pick !== 'join' ? undefined : rec.slot.kind === 'host' ? new HostSnapshot(rec.slot.target.join((va as HostSnapshot).state, (vb as HostSnapshot).state)) : joinSlot(va, vb, reason);
      writeSlot(this, rec.slot, pick === 'a' ? va : pick === 'b' ? vb : joined!);
    }
  }

  private runUndone(fn: () => void): { slot: Slot; old: Entry['old']; now: Entry['old'] }[] {
    this.frames.push([]);
    this.touched.push(new Set());
    let entries: Entry[];
    try {
      fn();
    } finally {
      // Popped even when fn throws (bound reached), so no stale frame outlives the branch.
      entries = this.frames.pop()!;
      this.touched.pop();
    }
    // The first write to a slot holds its value before the branch; the current value is the outcome.
    const seen = new Map<unknown, { slot: Slot; old: Entry['old']; now: Entry['old'] }>();
    for (const e of entries) {
      const key = slotKey(e.slot);
      if (!seen.has(key)) seen.set(key, { slot: e.slot, old: e.old, now: readSlot(e.slot) });
    }
    for (const rec of seen.values()) restore(rec.slot, rec.old);
    // Writes inside this branch are writes of the enclosing branch too (unless the host was born in it).
    const outer = this.top();
    for (const rec of seen.values()) if (!(rec.slot.kind === 'host' && outer && rec.slot.target.bornIn.includes(outer))) outer?.push({ slot: rec.slot, old: rec.old });
    return [...seen.values()];
  }

  private top(): Entry[] | undefined {
    return this.frames[this.frames.length - 1];
  }
}

function slotKey(slot: Slot): unknown {
  return slot.kind === 'prop' ? `${idOf(slot.target)}\u0000${slot.key}` : slot.target;
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

function readSlot(slot: Slot): Entry['old'] {
  switch (slot.kind) {
    case 'binding':
      return slot.target.value;
    case 'prop':
      return slot.target.props.has(slot.key) ? slot.target.props.get(slot.key) : ABSENT;
    case 'array':
      return slot.target.slice();
    case 'host':
      return new HostSnapshot(slot.target.snapshot());
  }
}

function restore(slot: Slot, old: Entry['old']): void {
  switch (slot.kind) {
    case 'binding':
      slot.target.value = old as Value;
      return;
    case 'prop':
      if (old === ABSENT) slot.target.props.delete(slot.key);
      else slot.target.props.set(slot.key, old as Value);
      return;
    case 'array':
      setItems(slot.target, old as Value[]);
      return;
    case 'host':
      slot.target.restore((old as HostSnapshot).state);
      return;
  }
}

/** Replaces an array's contents in place (no spread: a long array would overflow the stack). */
function setItems(target: Value[], items: Value[]): void {
  if (target === items) return;
  const copy = items.slice();
  target.length = copy.length;
  for (let i = 0; i < copy.length; i++) target[i] = copy[i];
}

function writeSlot(journal: Journal, slot: Slot, v: Entry['old']): void {
  switch (slot.kind) {
    case 'binding':
      journal.writeBinding(slot.target, v as Value);
      return;
    case 'prop':
      if (v === ABSENT) slot.target.props.delete(slot.key);
      else journal.writeProp(slot.target, slot.key, v as Value);
      return;
    case 'array':
      journal.touchArray(slot.target);
      setItems(slot.target, v as Value[]);
      return;
    case 'host':
      journal.touchHost(slot.target);
      slot.target.restore((v as HostSnapshot).state);
      return;
  }
}

function joinSlot(a: Entry['old'], b: Entry['old'], reason: string): Entry['old'] {
  if (a === ABSENT || b === ABSENT) return a === ABSENT ? b : a;
  // An array stays an array (it may be referenced elsewhere): of different lengths, the longer one
  // (what a branch added is followed, as for layers), elements both have joined.
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
    const [long, short] = a.length > b.length ? [a, b] : [b, a];
    return long.map((x, i) => (i < short.length ? join(x, short[i], reason) : x));
  }
  return join(a as Value, b as Value, reason);
}

export class Scope {
  private readonly vars = new Map<string, Binding>();
  constructor(
    readonly parent: Scope | undefined,
    readonly journal: Journal,
    /** Function scopes own `var` declarations and `this`. */
    readonly isFunction = false,
    readonly thisValue: Value = undefined,
  ) {}

  child(): Scope {
    return new Scope(this, this.journal);
  }

  declare(name: string, value: Value, constant = false): void {
    this.vars.set(name, { value, constant });
  }

  /** Where a `var` goes: the nearest function (or module) scope. */
  functionScope(): Scope {
    let s: Scope = this;
    while (!s.isFunction && s.parent) s = s.parent;
    return s;
  }

  lookup(name: string): Binding | undefined {
    let s: Scope | undefined = this;
    while (s) {
      const b = s.vars.get(name);
      if (b) return b;
      s = s.parent;
    }
    return undefined;
  }

  /** A sibling scope holding copies of this scope's own bindings (per-iteration `let`). */
  copyUnder(parent: Scope): Scope {
    const s = parent.child();
    for (const [name, b] of this.vars) s.vars.set(name, { value: b.value, constant: b.constant });
    return s;
  }

  hasOwn(name: string): boolean {
    return this.vars.has(name);
  }

  assign(name: string, value: Value): boolean {
    const b = this.lookup(name);
    if (!b) return false;
    this.journal.writeBinding(b, value);
    return true;
  }

  /** `this` of the nearest function scope. */
  getThis(): Value {
    let s: Scope | undefined = this;
    while (s) {
      if (s.isFunction) return s.thisValue;
      s = s.parent;
    }
    return undefined;
  }
}

export function newObject(): ObjectValue {
  return new ObjectValue();
}
