// The baseline child of `npm run bench:export`: a wave's submitted rows read as the export reads
// them, `select id, answers` in keyset pages of 1,000 through pg, each row written out as it came,
// with nothing else loaded. Arguments: the database URL (its schema in its options), the wave's id
// and the file to write.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pg from 'pg';

const [url, waveId, out] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
const file = createWriteStream(out!);
let after = '00000000-0000-0000-0000-000000000000';
for (;;) {
  const { rows } = await client.query<{ id: string; answers: unknown }>(
    `select id, answers from responses where wave_id = $1 and status = 'submitted' and id > $2 order by id limit 1000`,
    [Number(waveId), after],
  );
  if (rows.length === 0) break;
  if (!file.write(rows.map((row) => `${row.id}\t${JSON.stringify(row.answers)}\n`).join(''))) await once(file, 'drain');
  after = rows[rows.length - 1]!.id;
}
file.end();
await once(file, 'finish');
await client.end();
