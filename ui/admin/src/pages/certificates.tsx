import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { daysUntil, when } from '../format.ts';
import type { Certificate } from '../types.ts';
import { useLoad } from '../use-load.ts';

/** The certificates Gatehouse manages: names, status, expiry, renewal. */
export function CertificatesPage() {
  const { data, error } = useLoad(() => api<{ certificates: Certificate[] }>('GET', '/api/v1/certificates'));
  if (error) return <Alert text={error} />;
  if (!data) return <p>Loading…</p>;
  if (data.certificates.length === 0)
    return <p>No managed certificates (automatic certificates are off, or none is issued yet).</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Names</th>
          <th scope="col">Status</th>
          <th scope="col">Issuer</th>
          <th scope="col">Expires</th>
          <th scope="col">Renews</th>
          <th scope="col">Failures</th>
        </tr>
      </thead>
      <tbody>
        {data.certificates.map((c) => (
          <tr key={c.id}>
            <td>{c.names.join(', ')}</td>
            <td>
              <span class="badge" data-status={c.status}>
                {c.status}
              </span>
            </td>
            <td>{c.issuer ?? '—'}</td>
            <td>
              {when(c.notAfter)}
              {c.notAfter ? ` (${daysUntil(c.notAfter)} days)` : ''}
            </td>
            <td>{when(c.renewAt)}</td>
            <td>{c.failures}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
