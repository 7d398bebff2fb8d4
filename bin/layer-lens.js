#!/usr/bin/env node
'use strict';
// The `layer-lens` command. The CLI is bundled into dist/cli.js by `npm run build`.
const cli = require('../dist/cli.js');

// dist/cli.js runs itself only when it is the main module; from here, call it.
const io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};
if (typeof cli.runAsync === 'function') {
  cli.runAsync(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
} else if (typeof cli.run === 'function') {
  process.exitCode = cli.run(process.argv.slice(2), io);
}
