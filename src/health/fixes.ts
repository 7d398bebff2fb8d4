/**
 * The fixes detectors offer, each with its structured edit when it is an edit of the user's
 * code. Titles are English source strings translated in l10n/bundle.l10n.zh-cn.json
 * (`fixTitle`); numbers live in the edits, never in the titles, so one translation serves
 * every run.
 *
 * A `set-config` value of the form `{ "$code": "…" }` is a source expression to write as it
 * is (`tf.regularizers.l2({l2: 1e-4})`), for values that are calls rather than literals.
 */
import type { ModelContext } from './context';
import type { Fix, FixEdit, JsonValue } from './findings';

function fix(id: string, title: string, rank: number, explain: string[], edits?: FixEdit[]): Fix {
  return edits && edits.length > 0 ? { id, title, rank, edits, explain } : { id, title, rank, explain };
}

/** A learning rate rounded to one significant digit (0.00031 → 0.0003). */
export function roundRate(x: number): number {
  return Number(x.toPrecision(1));
}

/** Divide the learning rate by `factor` (the edit writes the new value into compile). */
export function lowerLearningRate(ctx: ModelContext, rank: number, factor = 10): Fix {
  const lr = ctx.learningRate();
  return fix(
    'lower-learning-rate',
    'Lower the learning rate',
    rank,
    ['concept.learningRate'],
    lr ? [{ kind: 'set-learning-rate', value: roundRate(lr / factor) }] : undefined,
  );
}

export function raiseLearningRate(ctx: ModelContext, rank: number, factor = 10): Fix {
  const lr = ctx.learningRate();
  return fix(
    'raise-learning-rate',
    'Raise the learning rate',
    rank,
    ['concept.learningRate'],
    lr ? [{ kind: 'set-learning-rate', value: roundRate(lr * factor) }] : undefined,
  );
}

/** Set the learning rate to a value (e.g. tfjs's default for the optimizer). */
export function setLearningRate(rank: number, value: number): Fix {
  return fix('set-learning-rate', 'Use a standard learning rate', rank, ['concept.learningRate'], [{ kind: 'set-learning-rate', value }]);
}

/** Clip the global gradient norm to 1. tfjs optimizers have no option for it: the quick fix wraps the optimizer. */
export function clipGradients(rank: number): Fix {
  return fix(
    'clip-gradients',
    'Clip gradients by norm',
    rank,
    ['concept.gradientClipping'],
    [{ kind: 'set-optimizer-option', key: 'clipnorm', value: 1 }],
  );
}

export function heInitialization(layers: string[], rank: number): Fix {
  return fix(
    'he-initialization',
    'Use He initialisation',
    rank,
    ['initializer.heNormal', 'concept.initialization'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'kernelInitializer', value: 'heNormal' })),
  );
}

export function glorotInitialization(layers: string[], rank: number): Fix {
  return fix(
    'glorot-initialization',
    'Use Glorot initialisation',
    rank,
    ['initializer.glorotUniform', 'concept.initialization'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'kernelInitializer', value: 'glorotUniform' })),
  );
}

export function reluActivation(layers: string[], rank: number): Fix {
  return fix(
    'use-relu',
    'Use ReLU in hidden layers',
    rank,
    ['activation.relu', 'concept.vanishingGradient'],
    layers.flatMap((layer) => [
      { kind: 'set-config', layer, key: 'activation', value: 'relu' } as FixEdit,
      { kind: 'set-config', layer, key: 'kernelInitializer', value: 'heNormal' } as FixEdit,
    ]),
  );
}

/** tfjs has no 'leakyReLU' activation string: make the layer linear and add a LeakyReLU layer after it. */
export function leakyRelu(layers: string[], rank: number): Fix {
  return fix(
    'use-leaky-relu',
    'Switch to LeakyReLU',
    rank,
    ['layer.LeakyReLU', 'concept.deadRelu'],
    layers.flatMap((layer) => [
      { kind: 'set-config', layer, key: 'activation', value: 'linear' } as FixEdit,
      { kind: 'insert-layer-after', layer, factory: 'leakyReLU', config: { alpha: 0.1 } } as FixEdit,
    ]),
  );
}

export function eluActivation(layers: string[], rank: number): Fix {
  return fix(
    'use-elu',
    'Switch to ELU',
    rank,
    ['activation.elu', 'concept.deadRelu'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'activation', value: 'elu' })),
  );
}

export function batchNormAfter(layer: string | undefined, rank: number): Fix {
  return fix(
    'insert-batch-norm',
    'Insert batch normalisation',
    rank,
    ['layer.BatchNormalization', 'concept.normalization'],
    layer ? [{ kind: 'insert-layer-after', layer, factory: 'batchNormalization' }] : undefined,
  );
}

export function residualConnection(rank: number): Fix {
  return fix('residual-connection', 'Add residual connections', rank, ['concept.residual']);
}

export function zeroBias(layers: string[], rank: number): Fix {
  return fix(
    'zero-bias',
    'Start biases at zero',
    rank,
    ['concept.initialization'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'biasInitializer', value: 'zeros' })),
  );
}

export function dropoutAfter(layer: string | undefined, rank: number, rate = 0.3): Fix {
  return fix(
    'add-dropout',
    'Add dropout',
    rank,
    ['layer.Dropout', 'concept.regularization'],
    layer ? [{ kind: 'insert-layer-after', layer, factory: 'dropout', config: { rate } }] : undefined,
  );
}

export function l2Regularization(layers: string[], rank: number, l2 = 1e-4): Fix {
  const value: JsonValue = { $code: `tf.regularizers.l2({l2: ${l2}})` };
  return fix(
    'l2-regularization',
    'Add L2 weight decay',
    rank,
    ['regularizer.l2', 'concept.regularization'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'kernelRegularizer', value })),
  );
}

export function earlyStopping(rank: number): Fix {
  return fix(
    'early-stopping',
    'Stop early on the validation loss',
    rank,
    ['concept.earlyStopping'],
    [{ kind: 'add-callback', factory: 'earlyStopping', config: { monitor: 'val_loss', patience: 3 } }],
  );
}

export function dataAugmentation(rank: number): Fix {
  return fix('data-augmentation', 'Augment the training data', rank, ['concept.dataAugmentation']);
}

export function moreData(rank: number): Fix {
  return fix('more-data', 'Train on more data', rank, ['concept.generalization']);
}

export function smallerModel(rank: number): Fix {
  return fix('smaller-model', 'Use a smaller model', rank, ['concept.parameters', 'concept.overfitting']);
}

export function biggerModel(rank: number): Fix {
  return fix('bigger-model', 'Use a bigger model', rank, ['concept.underfitting']);
}

export function trainLonger(rank: number): Fix {
  return fix('train-longer', 'Train for more epochs', rank, ['concept.underfitting']);
}

export function lessRegularization(rank: number): Fix {
  return fix('less-regularization', 'Reduce regularisation', rank, ['concept.regularization', 'concept.underfitting']);
}

/** Raw 0–255 pixels: a Rescaling layer in front of the model divides them by the maximum. */
export function rescaleInputs(ctx: ModelContext, max: number, rank: number): Fix {
  const first = ctx.firstLayer()?.name;
  const scale = Number((1 / max).toPrecision(6));
  return fix(
    'rescale-inputs',
    'Scale the inputs to [0, 1]',
    rank,
    ['concept.normalization', 'layer.Rescaling'],
    first ? [{ kind: 'insert-layer-before', layer: first, factory: 'rescaling', config: { scale } }] : undefined,
  );
}

export function standardizeInputs(rank: number): Fix {
  return fix('standardize-inputs', 'Standardise each input feature', rank, ['concept.normalization']);
}

export function batchNormFirst(ctx: ModelContext, rank: number): Fix {
  const first = ctx.firstLayer()?.name;
  return fix(
    'input-batch-norm',
    'Normalise inputs inside the model',
    rank,
    ['layer.BatchNormalization', 'concept.normalization'],
    first ? [{ kind: 'insert-layer-before', layer: first, factory: 'batchNormalization' }] : undefined,
  );
}

export function removeBadValues(rank: number): Fix {
  return fix('clean-inputs', 'Remove or impute NaN and Infinity in the data', rank, ['concept.normalization']);
}

export function setLoss(loss: string, rank: number): Fix {
  return fix(
    `loss-${loss}`,
    lossFixTitle(loss),
    rank,
    [`loss.${loss}`, 'concept.labelEncoding'],
    [{ kind: 'set-compile', key: 'loss', value: loss }],
  );
}

function lossFixTitle(loss: string): string {
  switch (loss) {
    case 'sparseCategoricalCrossentropy':
      return 'Use sparseCategoricalCrossentropy for integer labels';
    case 'categoricalCrossentropy':
      return 'Use categoricalCrossentropy for one-hot labels';
    case 'binaryCrossentropy':
      return 'Use binaryCrossentropy with sigmoid outputs';
    default:
      return 'Use a loss that fits the labels';
  }
}

export function oneHotLabels(rank: number): Fix {
  return fix('one-hot-labels', 'One-hot encode the labels', rank, ['concept.labelEncoding']);
}

export function scaleTargets(rank: number): Fix {
  return fix('scale-targets', 'Scale the targets to [0, 1]', rank, ['concept.labelEncoding', 'loss.binaryCrossentropy']);
}

export function unfreeze(layers: string[], rank: number): Fix {
  return fix(
    'unfreeze',
    'Make the layer trainable',
    rank,
    ['concept.frozenLayers'],
    layers.map((layer) => ({ kind: 'set-config', layer, key: 'trainable', value: true })),
  );
}

export function connectBranch(rank: number): Fix {
  return fix('connect-branch', 'Connect the layer to the loss', rank, ['concept.frozenLayers', 'concept.backpropagation']);
}

export function sigmoidOutput(layer: string, rank: number): Fix {
  return fix(
    'sigmoid-output',
    'Use sigmoid on a one-unit output',
    rank,
    ['activation.sigmoid', 'concept.multiLabel'],
    [{ kind: 'set-config', layer, key: 'activation', value: 'sigmoid' }],
  );
}

export function checkLabels(rank: number): Fix {
  return fix('check-labels', 'Check that labels match the inputs', rank, ['concept.labelEncoding']);
}
