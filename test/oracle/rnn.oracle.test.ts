/**
 * Model-level oracle for recurrent and text models in test/fixtures/rnn/: embeddings,
 * LSTM/GRU/SimpleRNN, stacked and bidirectional layers (every merge mode), timeDistributed,
 * returnState and initial states in the functional API, masking, stateful and convolutional
 * RNNs, Conv1D text models, and seq2seq/attention models after tfjs-examples.
 */
import { fixturesIn, modelOracleSuite } from './model-oracle';

modelOracleSuite('recurrent and text models agree with tfjs', fixturesIn('test/fixtures/rnn'), {
  // Hand-checked: tfjs's GRU has one bias, 3·(units·(in+units)+units); LSTM 4·(…).
  'text-classifiers.ts': {
    expectTotals: {
      buildLstmClassifier: 500 * 16 + 4 * (12 * (16 + 12) + 12) + (12 + 1),
      buildGruClassifier: 500 * 16 + 3 * (10 * (16 + 10) + 10) + (10 * 3 + 3),
      buildSimpleRnnClassifier: 500 * 16 + (8 * (16 + 8) + 8) + (8 * 2 + 2),
    },
  },
  'bidirectional.ts': { expectTotals: { buildBiSum: 60 * 8 + 2 * 4 * (6 * (8 + 6) + 6) + 2 * 3 * (5 * (6 + 5) + 5) + (5 + 1) } },
});
