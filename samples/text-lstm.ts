/**
 * Recurrent text models: a sentiment classifier (embedding → bidirectional LSTM → GRU)
 * and a character-level generator in the style of tfjs-examples/lstm-text-generation.
 * Vocabulary and sequence sizes come from config.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { EMBEDDING_DIM, LEARNING_RATE, MAX_SEQUENCE_LENGTH, VOCAB_SIZE } from './config';

/** Reads a review as word ids and predicts the probability that it is positive. */
export function buildSentimentModel(): tf.Sequential {
  const model = tf.sequential({ name: 'sentiment_bilstm' });
  model.add(
    tf.layers.embedding({
      inputDim: VOCAB_SIZE,
      outputDim: EMBEDDING_DIM,
      inputLength: MAX_SEQUENCE_LENGTH,
      maskZero: true,
    }),
  );
  model.add(
    tf.layers.bidirectional({
      layer: tf.layers.lstm({ units: 64, returnSequences: true }),
      mergeMode: 'concat',
    }),
  );
  model.add(tf.layers.gru({ units: 32, dropout: 0.2, recurrentDropout: 0.2 }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'binaryCrossentropy', metrics: ['acc'] });
  return model;
}

/**
 * Predicts the next character from the previous `sampleLen` characters, each one-hot
 * encoded over `charSetSize` symbols.
 */
export function buildCharGenerator(sampleLen = 40, charSetSize = 71, lstmLayerSizes: number[] = [128, 128]): tf.Sequential {
  const model = tf.sequential({ name: 'char_lstm' });
  lstmLayerSizes.forEach((units, i) => {
    model.add(
      tf.layers.lstm({
        units,
        returnSequences: i < lstmLayerSizes.length - 1,
        inputShape: i === 0 ? [sampleLen, charSetSize] : undefined,
      }),
    );
  });
  model.add(tf.layers.dense({ units: charSetSize, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.rmsprop(0.05), loss: 'categoricalCrossentropy' });
  return model;
}
