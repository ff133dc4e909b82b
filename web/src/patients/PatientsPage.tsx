import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { TextField } from '../ui/TextField';
import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { ageBand, fullName, PAGE_SIZE, usePatientSearch } from './patients-api';
import './patients.css';

/** Find a patient by name, phone, email or external reference; the query lives in the URL (?q=&page=). */
export default function PatientsPage() {
  useDocumentTitle('Patients');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [text, setText] = useState(q);
  const search = usePatientSearch(q, (page - 1) * PAGE_SIZE);
  const readOnly = useStaff().role === 'compliance';

  function submit(e: FormEvent) {
    e.preventDefault();
    const next = text.trim();
    setParams(next ? { q: next } : {});
  }
  function goTo(p: number) {
    setParams(q ? { q, page: String(p) } : { page: String(p) });
  }

  const data = search.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <div className="page-actions">
        <h1 style={{ margin: 0, marginRight: 'auto' }}>Patients</h1>
        {!readOnly && (
          <Link to="/patients/new" className="button button-primary">
            New patient
          </Link>
        )}
      </div>
      <form role="search" className="search-form" onSubmit={submit}>
        <TextField
          label="Find a patient"
          description="Name, phone number, email or the clinic's reference"
          type="search"
          value={text}
          onChange={setText}
        />
        <Button type="submit">Search</Button>
      </form>
      {search.isPending && <Loading label="Finding patients…" />}
      {search.isError && <Alert>{describeError(search.error)}</Alert>}
      {data && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading" aria-live="polite">
            {q ? resultWords(data.total, q) : data.total ? `All patients (${data.total}), newest first` : 'No patients yet'}
          </h2>
          {data.total === 0 && (
            <p className="muted">
              {q ? 'Check the spelling, or search by phone number or email instead. ' : 'Patients appear here once they are added. '}
              {!readOnly && <><Link to="/patients/new">Add a new patient</Link>.</>}
            </p>
          )}
          <ul className="result-list">
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
          {pages > 1 && (
            <nav className="pager" aria-label="Result pages">
              <Button variant="secondary" isDisabled={page <= 1} onPress={() => goTo(page - 1)}>
                Previous page
              </Button>
              <span>
                Page {page} of {pages}
              </span>
              <Button variant="secondary" isDisabled={page >= pages} onPress={() => goTo(page + 1)}>
                Next page
              </Button>
            </nav>
          )}
        </section>
      )}
    </>
  );
}

function resultWords(total: number, q: string): string {
  if (total === 0) return `No patient matches “${q}”`;
  return `${total} ${total === 1 ? 'patient matches' : 'patients match'} “${q}”`;
}
