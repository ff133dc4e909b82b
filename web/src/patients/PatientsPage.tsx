import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { TextField } from '../ui/TextField';
import { canCare, useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { ageBand, fullName, PAGE_SIZE, usePatientSearch } from './patients-api';
import './patients.css';

/** Shorter queries are not sent: one letter matches half the clinic and says nothing. */
export const MIN_QUERY = 2;
/** How long typing must pause before the search runs. */
const DEBOUNCE_MS = 300;

/**
 * Find a patient by name, phone, email or external reference. The list refreshes as you type
 * (after a pause; Enter searches at once, Escape clears); the query lives in the URL (?q=&page=,
 * replaced rather than pushed while typing); an answer to an older query is never shown as the
 * answer to the newer one; the count is announced to screen readers once the answer is in.
 */
export default function PatientsPage() {
  useDocumentTitle('Patients');
  const staff = useStaff();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [text, setText] = useState(q);
  const pushed = useRef(q);
  const results = useRef<HTMLUListElement>(null);
  const search = usePatientSearch(q, (page - 1) * PAGE_SIZE);

  // The URL changed from outside (back, forward, a link): the box follows it.
  useEffect(() => {
    if (q !== pushed.current) {
      pushed.current = q;
      setText(q);
    }
  }, [q]);

  const searchFor = useCallback(
    (value: string) => {
      const next = value.trim();
      if (next.length > 0 && next.length < MIN_QUERY) return;
      if (next === q) return;
      pushed.current = next;
      setParams(next ? { q: next } : {}, { replace: true });
    },
    [q, setParams],
  );

  useEffect(() => {
    const timer = setTimeout(() => searchFor(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, searchFor]);

  function submit(e: FormEvent) {
    e.preventDefault();
    searchFor(text);
  }
  /** Up and down arrows move between the results; up from the first goes back to the box. */
  function moveInResults(e: KeyboardEvent<HTMLUListElement>) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...e.currentTarget.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at < 0) return;
    e.preventDefault();
    const next = at + (e.key === 'ArrowDown' ? 1 : -1);
    if (next < 0) document.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
    else links[Math.min(next, links.length - 1)].focus();
  }
  function goTo(p: number) {
    setParams(q ? { q, page: String(p) } : { page: String(p) });
  }

  const tooShort = text.trim().length > 0 && text.trim().length < MIN_QUERY;
  const data = search.data;
  // The previous query's list, kept on screen while the new one is on its way: marked as such.
  const stale = search.isPlaceholderData;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <div className="page-actions">
        <h1 style={{ margin: 0, marginRight: 'auto' }}>Patients</h1>
        {canCare(staff) && (
          <Link to="/patients/new" className="button button-primary">
            New patient
          </Link>
        )}
      </div>
      <form role="search" className="search-form" onSubmit={submit}>
        <TextField
          label="Find a patient"
          description={`Name, phone number, email or the clinic's reference; the list updates as you type (at least ${MIN_QUERY} characters); the down arrow moves into the results`}
          type="search"
          value={text}
          onChange={setText}
          onKeyDown={(e: KeyboardEvent) => {
            if (e.key === 'Escape' && text) setText('');
            // Down arrow: from the box into the results.
            if (e.key === 'ArrowDown') {
              const first = results.current?.querySelector('a');
              if (first) {
                e.preventDefault();
                first.focus();
              }
            }
          }}
          autoComplete="off"
        />
        <Button type="submit">Search</Button>
      </form>
      {tooShort && <p className="muted">Type at least {MIN_QUERY} characters to search.</p>}
      <p role="status" className="visually-hidden">
        {search.isFetching || !data ? '' : q ? resultWords(data.total, q) : ''}
      </p>
      {search.isPending && <Loading label="Finding patients…" />}
      {search.isError && <Alert>{describeError(search.error)}</Alert>}
      {data && (
        <section aria-labelledby="results-heading" aria-busy={stale || undefined} className={stale ? 'results-stale' : undefined}>
          <h2 id="results-heading">
            {stale ? `Searching for “${q}”…` : q ? resultWords(data.total, q) : data.total ? `All patients (${data.total}), by name` : 'No patients yet'}
          </h2>
          {!stale && data.total === 0 && (
            <p className="muted">
              {q ? 'Check the spelling, or search by phone number or email instead. ' : 'Patients appear here once they are added. '}
              {canCare(staff) && (
                <>
                  <Link to="/patients/new">Add a new patient</Link>.
                </>
              )}
            </p>
          )}
          <ul className="result-list" ref={results} onKeyDown={moveInResults}>
            {data.items.map((p) => {
              const band = ageBand(p.birthYear);
              return (
                <li key={p.id}>
                  <Link to={`/patients/${p.id}`}>{fullName(p)}</Link>
                  <div className="muted">
                    {[band && `age ${band}`, p.phone, p.email, p.externalRef && `ref ${p.externalRef}`].filter(Boolean).join(' · ') || 'No contact details'}
                  </div>
                </li>
              );
            })}
          </ul>
          <Pager label="Result pages" page={page} pages={pages} onGo={goTo} />
        </section>
      )}
    </>
  );
}

function resultWords(total: number, q: string): string {
  if (total === 0) return `No patient matches “${q}”`;
  return `${total} ${total === 1 ? 'patient matches' : 'patients match'} “${q}”`;
}
