import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ActionDialog, Field } from '../flags/ActionDialog';
import '../flags/flags.css';
import '../patients/patients.css';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useDocumentTitle } from '../ui/title';
import { AdminOnly } from './AdminOnly';
import { adminKeys, formatDateTime } from './admin-api';
import { CopyValue } from './CopyValue';
import { DataTable, hiddenHeader } from '../ui/DataTable';
import './admin.css';

/** API keys for the clinic's integrations: create (the key shown once), list, revoke. */
export default function ApiKeysPage() {
  return (
    <AdminOnly>
      <ApiKeys />
    </AdminOnly>
  );
}

function ApiKeys() {
  useDocumentTitle('API keys');
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: adminKeys.apiKeys, queryFn: ({ signal }) => unwrap(api.GET('/v1/api-keys', { signal })) });
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.apiKeys });

  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        A key lets another system (a booking system, a clinic database) use the Aftercare API for this clinic: send it as the <code>X-API-Key</code> header or as <code>Authorization: Bearer</code>. A key can record and read patients and
        sessions and read protocols; it cannot see flags or the audit log, nor manage staff or settings. Revoke a key the moment it is no longer needed or may have leaked.
      </p>
      <div className="page-actions">
        <ActionDialog
          label="Create an API key"
          title="Create an API key"
          submitLabel="Create key"
          variant="primary"
          submit={async (form) => {
            const name = String(form.get('name') ?? '').trim();
            const res = await unwrap(api.POST('/v1/api-keys', { body: { name } }));
            setNotice(null);
            setCreated({ name: res.name, key: res.key });
            await refresh();
          }}
        >
          <Field name="name" label="Name" required description="What uses it, e.g. “Booking system”." />
        </ActionDialog>
      </div>
      {created && (
        <section className="panel" aria-labelledby="created-heading">
          <h2 id="created-heading" style={{ marginTop: 0 }}>
            Key “{created.name}” is created
          </h2>
          <Alert tone="info">Copy the key now and keep it in the other system’s secret store. It is shown only this once; Aftercare keeps only a hash of it.</Alert>
          <CopyValue label="API key" value={created.key} />
        </section>
      )}
      {notice && <Alert tone="success">{notice}</Alert>}
      {keys.isPending ? (
        <Loading label="Loading the keys…" />
      ) : keys.isError ? (
        <Alert>{describeError(keys.error)}</Alert>
      ) : keys.data.items.length === 0 ? (
        <p>The clinic has no API keys.</p>
      ) : (
        <DataTable className="data stack-table" columns={['Name', 'Starts with', 'Created', 'Status', hiddenHeader('Actions')]}>
          {keys.data.items.map((k) => (
            <tr key={k.id}>
              <th scope="row">{k.name}</th>
              <td data-label="Starts with">
                <code>{k.keyPrefix}…</code>
              </td>
              <td data-label="Created">{formatDateTime(k.createdAt as unknown as string)}</td>
              <td data-label="Status">{k.revokedAt ? <span className="status-inactive">Revoked {formatDateTime(k.revokedAt as unknown as string)}</span> : 'Active'}</td>
              <td>
                {!k.revokedAt && (
                  <ActionDialog
                    label={`Revoke ${k.name}`}
                    title={`Revoke the key “${k.name}”?`}
                    submitLabel="Revoke"
                    variant="quiet"
                    submit={async () => {
                      await unwrap(api.POST('/v1/api-keys/{id}/revoke', { params: { path: { id: k.id } } }));
                      setCreated(null);
                      setNotice(`The key “${k.name}” is revoked: it is refused from now on.`);
                      await refresh();
                    }}
                  >
                    <p>Whatever uses it is refused from now on. This cannot be undone: create a new key if it is needed again.</p>
                  </ActionDialog>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
