import { readFileSync } from 'node:fs';
import { checkInstrumentText } from './src/instrument/check.ts';
import { formatProblem } from './src/shared/yaml-source.ts';
const f = process.argv[2]!;
const r = checkInstrumentText(readFileSync(f, 'utf8'), f);
for (const p of r.problems) console.log(formatProblem(p));
