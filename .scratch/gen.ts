import { writeBenchData } from '../bench/health/data';
console.log(JSON.stringify(writeBenchData('/tmp/hb/data')));
