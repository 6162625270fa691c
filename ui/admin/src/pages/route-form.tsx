import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { ApiError, api, errorText } from '../api.ts';
import type { Route } from '../types.ts';

/** The fields the form edits; everything else a route has is kept as it is. */
const FIELDS = ['host', 'path', 'target', 'tunnel'] as const;
type Field = (typeof FIELDS)[number];

/** Kinds the form creates; other kinds are made through the API or CLI and edited here by field. */
const KINDS = ['proxy', 'tunnel'] as const;

/**
 * Creates a route, or changes one: the API validates, and its message is shown next to the field
 * it names (a field the form has no input for is shown above the buttons, named).
 */
export function RouteForm({
  route,
  onSaved,
  onCancel,
}: {
  route?: Route;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState<string>(route?.kind ?? 'proxy');
  const [values, setValues] = useState<Record<Field, string>>({
    host: route?.host ?? '',
    path: route?.path ?? '/',
    target: typeof route?.target === 'string' ? route.target : '',
    tunnel: typeof route?.tunnel === 'string' ? route.tunnel : '',
  });
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | undefined>(undefined);
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const prefix = route ? `edit-${route.id}` : 'new-route';

  const submit = async (event: Event) => {
    event.preventDefault();
    setFieldError(undefined);
    setFormError(undefined);
    const body: Record<string, string> = { host: values.host, path: values.path };
    if (kind === 'proxy') body['target'] = values.target;
    if (kind === 'tunnel') body['tunnel'] = values.tunnel;
    if (!route || route.kind !== kind) body['kind'] = kind;
    try {
      if (route) await api('PATCH', `/api/v1/routes/${encodeURIComponent(route.id)}`, body);
      else await api('POST', '/api/v1/routes', body);
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.field) setFieldError({ field: e.field, message: e.message });
      else setFormError(errorText(e));
    }
  };

  const own =
    fieldError && FIELDS.find((f) => fieldError.field === f || fieldError.field.startsWith(`${f}.`));
  const input = (field: Field, label: string, placeholder: string) => {
    const id = `${prefix}-${field}`;
    const error = own === field ? fieldError?.message : undefined;
    return (
      <div class="field" data-field={field}>
        <label for={id}>{label}</label>
        <input
          id={id}
          name={field}
          value={values[field]}
          placeholder={placeholder}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })}
        />
        {error && (
          <p id={`${id}-error`} class="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <form class="route-form" onSubmit={submit} aria-label={route ? `Edit route ${route.id}` : 'New route'}>
      <div class="field">
        <label for={`${prefix}-kind`}>Kind</label>
        <select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {[...new Set([...KINDS, kind])].map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      {input('host', 'Host', 'app.example.com')}
      {input('path', 'Path prefix', '/')}
      {kind === 'proxy' && input('target', 'Target URL', 'http://127.0.0.1:3000')}
      {kind === 'tunnel' && input('tunnel', 'Tunnel name', 'my-laptop')}
      {fieldError && !own && (
        <p class="field-error" role="alert">
          {fieldError.field}: {fieldError.message}
        </p>
      )}
      <Alert text={formError} />
      <div class="buttons">
        <button type="submit">{route ? 'Save' : 'Create route'}</button>
        <button type="button" class="quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
