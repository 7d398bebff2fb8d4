import * as tf from '@tensorflow/tfjs';
(async () => {
  const n = 2048; const xs: number[][] = []; const ys: number[][] = [];
  for (let i = 0; i < n; i++) { const c = i % 2; const r = (c + 0.5) / 2 + (Math.random() - 0.5) * 0.08; const t = Math.random() * 6.28; xs.push([r * Math.cos(t), r * Math.sin(t)]); ys.push(c ? [0, 1] : [1, 0]); }
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [2], units: 64 }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.2 }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(xs.slice(0, 1843)), y = tf.tensor2d(ys.slice(0, 1843));
  const vx = tf.tensor2d(xs.slice(1843)), vy = tf.tensor2d(ys.slice(1843));
  for (let s = 0; s < 300; s++) { const i = (s * 32) % 1800; await model.trainOnBatch(x.slice(i, 32), y.slice(i, 32)); }
  const ev = model.evaluate(vx, vy) as tf.Tensor[];
  console.log('val', ev.map((t) => t.dataSync()[0]));
  const bn = model.layers[1];
  console.log(bn.getWeights().map((w) => w.name + ' ' + Array.from(w.dataSync().slice(0, 4)).map((v) => v.toFixed(3)).join(',')));
})();
