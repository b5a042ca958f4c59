/** The wave a command names, found with an error that says which waves there are. */
import type { WaveRow } from '../store/database.ts';
import type { Store } from '../store/open.ts';
import { findWave, listWaves } from '../store/waves.ts';
import { UserError } from './io.ts';

/** The wave of an instrument, open or not, or an error naming the waves it has. */
export async function namedWave(db: Store['db'], instrumentId: string, name: string): Promise<WaveRow> {
  const wave = await findWave(db, instrumentId, name);
  if (wave) return wave;
  const known = (await listWaves(db, instrumentId)).map((w) => w.name);
  throw new UserError(`${instrumentId} has no wave named ${name}${known.length ? ` (its waves: ${known.join(', ')})` : ' (publish it and open a wave first)'}`);
}

/** The open wave of an instrument, or an error naming the waves it has. */
export async function openWaveOf(db: Store['db'], instrumentId: string, name: string): Promise<WaveRow> {
  const wave = await namedWave(db, instrumentId, name);
  if (wave.status !== 'open') throw new UserError(`wave ${wave.name} of ${instrumentId} is closed`);
  return wave;
}
