import { useEffect, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components, operations } from '../api/schema';
import { Select } from '../ui/Select';
import { RULES, STATUS_WORDS } from '../flags/words';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { compact, dateOnly, endOf, isDay, startOf } from './period';
import { DataTable } from '../ui/DataTable';
import './compliance.css';

type AdverseEvent = components['schemas']['AdverseEventDto'];
type Query = NonNullable<operations['AdverseEventsController_list']['parameters']['query']>;
type Seriousness = NonNullable<Query['seriousness']>;
type Causality = NonNullable<Query['causality']>;

const PAGE_SIZE = 25;
const ANY = 'any';

export const SERIOUSNESS_WORDS: Record<Seriousness, string> = { serious: 'Serious', non_serious: 'Not serious', unassessed: 'Not assessed yet' };
export const CAUSALITY_WORDS: Record<Causality, string> = {
  related: 'Related',
  possibly_related: 'Possibly related',
  unlikely_related: 'Unlikely related',
  unrelated: 'Unrelated',
  unassessed: 'Not assessed yet',
};
const ruleLabel = (id: string) => RULES.find((r) => r.id === id)?.label ?? id;
const choices = (words: Record<string, string>) => [{ id: ANY, label: 'Any' }, ...Object.entries(words).map(([id, label]) => ({ id, label }))];

/** The filters as they stand in the URL (?from=&to=&product=&lot=&practitioner=&seriousness=&causality=&sort=&page=). */
function filtersOf(params: URLSearchParams) {
  const from = params.get('from');
  const to = params.get('to');
  const seriousness = params.get('seriousness');
  const causality = params.get('causality');
  return {
    from: isDay(from) ? from : '',
    to: isDay(to) ? to : '',
    product: params.get('product') ?? '',
    lot: params.get('lot') ?? '',
    practitioner: params.get('practitioner') ?? '',
    seriousness: seriousness && seriousness in SERIOUSNESS_WORDS ? (seriousness as Seriousness) : '',
    causality: causality && causality in CAUSALITY_WORDS ? (causality as Causality) : '',
  };
}
type Filters = ReturnType<typeof filtersOf>;

/** What the API takes for these filters (the period's end made exclusive). */
function apiFilters(f: Filters) {
  return {
    ...(f.from ? { from: startOf(f.from) } : {}),
    ...(f.to ? { to: endOf(f.to) } : {}),
    ...(f.product ? { product: f.product } : {}),
    ...(f.lot ? { lot: f.lot } : {}),
    ...(f.practitioner ? { practitionerId: f.practitioner } : {}),
    ...(f.seriousness ? { seriousness: f.seriousness } : {}),
    ...(f.causality ? { causality: f.causality } : {}),
  };
}

/** The adverse-event log of the clinic: filters in the URL, sortable by date, paged, with the CSV and FHIR downloads of the filter. */
export default function AdverseEventsPage() {
  useDocumentTitle('Adverse-event log');
  const [params, setParams] = useSearchParams();
  const applied = filtersOf(params);
  const sort = params.get('sort') === 'asc' ? 'asc' : 'desc';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState<Filters>(applied);
  const key = params.toString();
  // Back and forward change the URL: the form follows it.
  useEffect(() => setDraft(filtersOf(new URLSearchParams(key))), [key]);
  const set = (k: keyof Filters) => (v: string) => setDraft((d) => ({ ...d, [k]: v === ANY ? '' : v }));

  const query = { ...apiFilters(applied), sort, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } as Query;
  const log = useQuery({
    queryKey: ['adverse-events', query],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/adverse-events', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
  const facets = useQuery({
    queryKey: ['adverse-event-facets'],
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/adverse-events/facets', { signal })),
  });

  const base = { ...compact({ ...applied }), ...(sort === 'asc' ? { sort } : {}) };
  function apply(e: FormEvent) {
    e.preventDefault();
    setParams({ ...compact({ ...draft }), ...(sort === 'asc' ? { sort } : {}) });
  }
  function clear() {
    setDraft(filtersOf(new URLSearchParams()));
    setParams(sort === 'asc' ? { sort } : {});
  }
  const goTo = (p: number) => setParams({ ...base, ...(p > 1 ? { page: String(p) } : {}) });
  const toggleSort = () => setParams({ ...compact({ ...applied }), ...(sort === 'desc' ? { sort: 'asc' } : {}) });

  const exportHref = (format: 'csv' | 'fhir') => `/v1/adverse-events/export?${new URLSearchParams({ format, ...apiFilters(applied) })}`;
  const data = log.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const invalidPeriod = !!(draft.from && draft.to && draft.from > draft.to);

  return (
    <div className="compliance-page">
      <h1>Adverse-event log</h1>
      <p className="muted">Reactions the clinical rules flagged from patients' answers, with their assessment. Dates are reported dates, whole days in UTC.</p>

      <form className="filters" aria-label="Filter the log" onSubmit={apply}>
        <TextField label="Reported from" type="date" value={draft.from} onChange={set('from')} />
        <TextField label="Reported to" type="date" value={draft.to} onChange={set('to')} isInvalid={invalidPeriod} />
        <Select label="Product" value={draft.product || ANY} onChange={set('product')} options={[{ id: ANY, label: 'Any' }, ...(facets.data?.products ?? (draft.product ? [draft.product] : [])).map((p) => ({ id: p, label: p }))]} />
        <Select label="Lot" value={draft.lot || ANY} onChange={set('lot')} options={[{ id: ANY, label: 'Any' }, ...(facets.data?.lots ?? (draft.lot ? [draft.lot] : [])).map((l) => ({ id: l, label: l }))]} />
        <Select
          label="Practitioner"
          value={draft.practitioner || ANY}
          onChange={set('practitioner')}
          options={[{ id: ANY, label: 'Any' }, ...(facets.data?.practitioners ?? (draft.practitioner ? [{ id: draft.practitioner, name: 'The chosen practitioner' }] : [])).map((p) => ({ id: p.id, label: p.name }))]}
        />
        <Select label="Seriousness" value={draft.seriousness || ANY} onChange={set('seriousness')} options={choices(SERIOUSNESS_WORDS)} />
        <Select label="Causality" value={draft.causality || ANY} onChange={set('causality')} options={choices(CAUSALITY_WORDS)} />
        <div className="filter-buttons">
          <Button type="submit" isDisabled={invalidPeriod}>
            Apply filters
          </Button>
          <Button variant="quiet" onPress={clear}>
            Clear filters
          </Button>
        </div>
        {invalidPeriod && <p className="field-error">The period's start must not be after its end.</p>}
      </form>

      <section aria-labelledby="downloads" className="downloads">
        <h2 id="downloads">Download this selection</h2>
        <p className="muted">Every event the filters select (not only this page), streamed; the file name says the clinic and the period. Each download is recorded in the audit log.</p>
        <div className="download-links">
          <a className="button button-secondary" href={exportHref('csv')} download>
            CSV
          </a>
          <a className="button button-secondary" href={exportHref('fhir')} download>
            FHIR R4 Bundle
          </a>
        </div>
      </section>

      {log.isPending && <Loading label="Loading the log…" />}
      {log.isError && <Alert>{describeError(log.error)}</Alert>}
      {data && (
        <section aria-labelledby="events-heading">
          <h2 id="events-heading" aria-live="polite">
            {data.total === 0 ? 'No adverse events match' : `${data.total} adverse event${data.total === 1 ? '' : 's'}`}
          </h2>
          {data.total > 0 && (
            <DataTable
              wrap="table-scroll"
              region={{ labelledBy: 'events-heading' }}
              className="data-table"
              testId="adverse-events"
              columns={[
                {
                  key: 'reported',
                  sort: sort === 'asc' ? 'ascending' : 'descending',
                  header: (
                    <button type="button" className="sort-button" onClick={toggleSort}>
                      Reported {sort === 'asc' ? '▲' : '▼'}
                      <span className="visually-hidden">{sort === 'asc' ? ', oldest first; sort newest first' : ', newest first; sort oldest first'}</span>
                    </button>
                  ),
                },
                'Event',
                'Product and lot',
                'Practitioner',
                'Seriousness',
                'Causality',
                'Status',
              ]}
            >
              {data.items.map((e) => (
                <Row key={e.id} e={e} />
              ))}
            </DataTable>
          )}
          <Pager label="Log pages" page={page} pages={pages} onGo={goTo} />
        </section>
      )}
    </div>
  );
}

function Row({ e }: { e: AdverseEvent }) {
  const a = e.assessment;
  return (
    <tr data-flag-id={e.id}>
      <td>
        <Link to={`/flags/${e.id}`}>{dateOnly(e.reportedAt)}</Link>
        {e.onsetDay !== null && <div className="muted">day {e.onsetDay}</div>}
      </td>
      <td>
        {ruleLabel(e.ruleId)}
        <div className="muted">{e.reason}</div>
      </td>
      <td>
        {e.treatment.product}
        <div className="muted">{e.treatment.lotNumber ? `lot ${e.treatment.lotNumber}` : 'no lot recorded'}</div>
      </td>
      <td>{e.treatment.practitionerName ?? '—'}</td>
      <td data-col="seriousness">{a ? SERIOUSNESS_WORDS[a.seriousness] : SERIOUSNESS_WORDS.unassessed}</td>
      <td data-col="causality">{a ? CAUSALITY_WORDS[a.causality] : CAUSALITY_WORDS.unassessed}</td>
      <td>{STATUS_WORDS[e.status] ?? e.status}</td>
    </tr>
  );
}
