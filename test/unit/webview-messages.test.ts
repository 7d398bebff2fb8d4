/**
 * The validator (src/protocol/validate.ts) and the webview ⇄ extension message schemas
 * (src/protocol/pages/summary.ts): what is accepted, what is refused, and where the error is.
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { modelViews } from '../../src/server/features/models';
import { parseFromWebview, parseToWebview } from '../../src/protocol/pages/summary';
import { ValidationError, array, check, literal, nullable, number, object, optional, string, tagged } from '../../src/protocol/validate';
import { HEADER, analyse } from './server-helpers';

const SOURCE = `${HEADER}export const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
model.add(tf.layers.flatten());
`;

function fileData() {
  const { analysis, doc } = analyse({ 'm.ts': SOURCE });
  return { uri: doc.uri, path: 'm.ts', models: modelViews(analysis, (f) => pathToFileURL(f).href), diagnostics: [] };
}

describe('validator', () => {
  const point = object({ x: number(), y: number({ integer: true, min: 0 }), tag: optional(string({ max: 5 })) });

  it('accepts and copies a valid value, dropping nothing it names', () => {
    const input = { x: 1.5, y: 2, tag: 'ok' };
    const out = point(input);
    assert.deepEqual(out, input);
    assert.notEqual(out, input, 'a fresh object');
    assert.deepEqual(point({ x: 0, y: 0 }), { x: 0, y: 0 }, 'optional keys may be absent');
  });

  it('refuses wrong types, missing and unexpected keys, NaN, bounds, long strings, with the path', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /^\$: expected an object, got null/],
      [[1], /^\$: expected an object, got an array/],
      [{ x: '1', y: 0 }, /^\$\.x: expected a finite number, got string/],
      [{ x: NaN, y: 0 }, /^\$\.x: expected a finite number/],
      [{ x: 1 }, /^\$\.y: missing/],
      [{ x: 1, y: 0.5 }, /^\$\.y: expected an integer/],
      [{ x: 1, y: -1 }, /^\$\.y: expected at least 0/],
      [{ x: 1, y: 0, tag: 'toolong' }, /^\$\.tag: string longer than 5/],
      [{ x: 1, y: 0, extra: true }, /^\$\.extra: unexpected key/],
      [Object.create({ x: 1, y: 0 }), /^\$: expected a plain object/],
    ];
    for (const [value, error] of cases) {
      const r = check(point, value);
      assert.equal(r.ok, false, JSON.stringify(value));
      if (!r.ok) assert.match(r.error, error);
    }
  });

  it('arrays (with a maximum), nullable, literals, tagged unions', () => {
    const list = array(nullable(literal('a', 'b')), { max: 3 });
    assert.deepEqual(list(['a', null, 'b']), ['a', null, 'b']);
    assert.throws(() => list(['a', 'c']), (e: unknown) => e instanceof ValidationError && e.path === '$[1]');
    assert.throws(() => list(['a', 'a', 'a', 'a']), /more than 3 items/);
    const msg = tagged('type', { a: object({ type: literal('a'), n: number() }), b: object({ type: literal('b') }) });
    assert.deepEqual(msg({ type: 'b' }), { type: 'b' });
    assert.throws(() => msg({ type: 'c' }), /\$\.type: expected one of "a", "b"/);
    assert.throws(() => msg({ type: 'a', n: 'x' }), /\$\.n: expected a finite number/);
  });
});

describe('webview messages', () => {
  it('webview → extension: ready, reveal, copyText, openText', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(parseFromWebview({ type: 'reveal', modelId: 'layer#1', layerId: 'layer#3' }), {
      ok: true,
      value: { type: 'reveal', modelId: 'layer#1', layerId: 'layer#3' },
    });
    assert.equal(parseFromWebview({ type: 'copyText', modelId: 'm' }).ok, true);
    assert.equal(parseFromWebview({ type: 'openText', modelId: 'm' }).ok, true);
  });

  it('webview → extension: anything else is refused', () => {
    for (const bad of [
      undefined,
      'ready',
      { type: 'openFile', path: '/etc/passwd' },
      { type: 'reveal' },
      { type: 'reveal', modelId: 'm', uri: 'file:///etc/passwd' },
      { type: 'reveal', modelId: 'm', diagnostic: -1 },
      { type: 'reveal', modelId: 'x'.repeat(600) },
      { type: 'ready', extra: 1 },
    ]) {
      assert.equal(parseFromWebview(bad).ok, false, JSON.stringify(bad)?.slice(0, 80));
    }
  });

  it('extension → webview: the models of a file, as the server sends them', () => {
    const data = fileData();
    const r = parseToWebview({ type: 'show', data, selectedId: data.models[0].id });
    assert.equal(r.ok, true, r.ok ? '' : r.error);
    if (r.ok && r.value.type === 'show') assert.deepEqual(r.value.data, data);
    assert.equal(parseToWebview({ type: 'empty', message: 'No model' }).ok, true);
  });

  it('extension → webview: malformed data is refused, naming the place', () => {
    const data = fileData();
    const layers = data.models[0].layers;
    const broken = { ...data, models: [{ ...data.models[0], layers: [{ ...layers[0], params: 'many' }] }] };
    const r = parseToWebview({ type: 'show', data: broken });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /^\$\.data\.models\[0\]\.layers\[0\]\.params: expected a finite number/);
    const notFile = { ...data, uri: 'https://example.com/x.ts' };
    assert.equal(parseToWebview({ type: 'show', data: notFile }).ok, false);
  });
});
