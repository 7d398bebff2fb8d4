/**
 * Runs a model source (TypeScript, as a test writes it) with real @tensorflow/tfjs (cpu backend)
 * and says what goes wrong, if anything: the build throws, a layer gets a zero or negative size,
 * or a prediction on zeros throws. Used to check that a quick fix really fixes the model.
 */
import * as tf from '@tensorflow/tfjs';
import { ts } from 'ts-morph';

void tf.setBackend('cpu');

/** Evaluates `source` as a CommonJS module whose tfjs imports are the real tfjs. */
export function loadSource(source: string): Record<string, unknown> {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const req = (id: string): unknown => {
    if (/^@tensorflow\/tfjs(-[\w-]+)?$/.test(id)) return tf;
    throw new Error(`the test source imports ${id}`);
  };
  new Function('require', 'module', 'exports', js)(req, module, module.exports);
  return module.exports;
}

/**
 * Undefined when tfjs builds the model and predicts with it; else what failed. The model is what
 * `builder` (an exported function) returns, or the first exported model.
 */
export function tfjsProblem(source: string, builder?: string): string | undefined {
  let model: tf.LayersModel | undefined;
  try {
    const mod = loadSource(source);
    const made = builder ? (mod[builder] as () => unknown)() : Object.values(mod).find((v) => v instanceof tf.LayersModel);
    if (!(made instanceof tf.LayersModel)) return `no model (${builder ? `${builder}() returned ${String(made)}` : 'none exported'})`;
    model = made;
    for (const layer of model.layers) {
      let out: tf.Shape | tf.Shape[];
      try {
        out = layer.outputShape;
      } catch {
        // A model used as a layer, called on several inputs: tfjs has no single output shape for it.
        continue;
      }
      const shapes = (Array.isArray(out[0]) ? out : [out]) as (number | null)[][];
      if (shapes.some((s) => s.some((d) => d !== null && !(Number.isInteger(d) && d > 0)))) return `${layer.name} has output shape ${JSON.stringify(out)}`;
    }
    const inputs = model.inputs.map((t) => tf.zeros(t.shape.map((d) => d ?? 1)));
    try {
      const y = model.predict(inputs.length === 1 ? inputs[0] : inputs);
      const ys = Array.isArray(y) ? y : [y];
      const declared = model.outputs.map((t) => t.shape.map((d) => d ?? 1));
      const real = ys.map((t) => t.shape);
      tf.dispose(y);
      // The shapes tfjs reports while building must be those of the data it computes.
      if (JSON.stringify(declared) !== JSON.stringify(real)) return `output shapes ${JSON.stringify(declared)} declared, ${JSON.stringify(real)} computed`;
    } finally {
      tf.dispose(inputs);
    }
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  } finally {
    model?.dispose();
  }
}
