/**
 * Shared hyper-parameters. Other samples import these constants, so the shapes
 * Layer Lens shows in alexnet.ts and text-lstm.ts come from this file.
 */

/** ImageNet-style classifiers. */
export const IMAGE_SIZE = 227;
export const IMAGE_CHANNELS = 3;
export const NUM_CLASSES = 1000;
export const DROPOUT_RATE = 0.5;

/** Text models. */
export const VOCAB_SIZE = 10000;
export const MAX_SEQUENCE_LENGTH = 200;
export const EMBEDDING_DIM = 128;

export const LEARNING_RATE = 1e-3;
