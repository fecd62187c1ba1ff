// What the collector delivered at Loki's door (Loki does not run here), record by record, for the
// e2e's counts. The backends' own clients are shared with `npm run verify`: kit/checks/backends.ts.
import { DOOR_RECORDS_PATH } from '../kit/checks/logs.ts';
import { fetchJson } from '../kit/poll.ts';
import type { DoorRecord } from '../native/loki-door/server.ts';

/** Everything the collector delivered at Loki's door so far. */
export async function lokiDoorRecords(baseUrl: string): Promise<DoorRecord[]> {
  const answer = await fetchJson<{ records: DoorRecord[] }>(`${baseUrl}${DOOR_RECORDS_PATH}`, {}, 30_000);
  return answer.records;
}
