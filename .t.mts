import ELK from 'elkjs/lib/elk.bundled.js';
import { pathToFileURL } from 'node:url';
import { Analyzer } from './src/analysis/index';
import { modelViews } from './src/server/features/models';
import { layoutModel, approxMeasure, LAYOUT_OPTIONS } from './src/webview/summary/graph-layout';
Object.assign(LAYOUT_OPTIONS, JSON.parse(process.env.OPTS ?? '{}'));
const [a] = new Analyzer().analyze([process.argv[2]]);
const m = modelViews(a, (f) => pathToFileURL(f).href)[0];
const elk = new ELK();
for (let i = 0; i < 3; i++) { const t = Date.now(); const g = await layoutModel(elk, m, approxMeasure); console.log(Date.now() - t, 'ms', g.width, g.height); }
