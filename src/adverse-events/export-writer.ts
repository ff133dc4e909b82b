import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ExportPage } from './adverse-events.service';
import { csvHeader, csvRow } from './csv';
import { adverseEventResource, auditEventResource, bundleClosing, bundleOpening, ENTRIES_OPENING, entry, mediaResource, questionnaireResponseResource } from './fhir';

/** Writes a chunk and waits while the client is slow, so pages are not piled up in memory. */
async function write(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed) throw new Error('export aborted: the client went away');
  if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}

export async function writeCsv(out: Writable, pages: AsyncIterable<ExportPage>): Promise<void> {
  await write(out, csvHeader());
  for await (const page of pages) {
    await write(out, page.events.map(csvRow).join(''));
  }
}

/**
 * A Bundle written entry by entry. An answer behind two events appears once (a Bundle's
 * fullUrls are unique), so the ids of answers already written are remembered: ids only.
 */
export async function writeFhirBundle(out: Writable, bundleId: string, timestamp: Date, pages: AsyncIterable<ExportPage>): Promise<void> {
  const written = new Set<string>();
  let first = true;
  await write(out, bundleOpening(bundleId, timestamp));
  for await (const page of pages) {
    const entries: unknown[] = [];
    for (const e of page.events) {
      entries.push(entry(adverseEventResource(e)));
      for (const a of e.answers) {
        if (written.has(a.id)) continue;
        written.add(a.id);
        entries.push(entry(questionnaireResponseResource(e.patientId, a)));
        for (const p of a.photos ?? []) entries.push(entry(mediaResource(e.patientId, a.id, p)));
      }
    }
    for (const row of page.audit) entries.push(entry(auditEventResource(row)));
    if (!entries.length) continue;
    await write(out, (first ? ENTRIES_OPENING : ',') + entries.map((x) => JSON.stringify(x)).join(','));
    first = false;
  }
  await write(out, bundleClosing(!first));
}
