import type { FleetState, VehicleView } from './fleet-state.ts';
import { stateOfCharge } from './fleet-state.ts';
import { formatTime, formatValue } from './format.ts';

/** Every vehicle with its connection state and latest speed, charge and gear; a click selects one. */
export function VehicleTable(props: {
  readonly vehicles: readonly VehicleView[];
  readonly selected: string | undefined;
  readonly select: (vin: string) => void;
}) {
  if (props.vehicles.length === 0)
    return <p class="empty">No vehicles yet: they appear when one connects.</p>;
  return (
    <table class="vehicles">
      <thead>
        <tr>
          <th>VIN</th>
          <th>Connection</th>
          <th>Speed (mph)</th>
          <th>Charge %</th>
          <th>Gear</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        {props.vehicles.map((v) => (
          <tr
            key={v.vin}
            data-vin={v.vin}
            class={v.vin === props.selected ? 'selected' : ''}
            onClick={() => props.select(v.vin)}
          >
            <td class="vin">
              <button
                type="button"
                aria-pressed={v.vin === props.selected}
                onClick={(e) => {
                  // The row's own click selects too; once is enough.
                  e.stopPropagation();
                  props.select(v.vin);
                }}
              >
                {v.vin}
              </button>
            </td>
            <td>
              <span class="status" data-status={v.status}>
                {v.status === 'UNKNOWN' ? 'not seen connecting' : v.status.toLowerCase()}
              </span>
            </td>
            <td data-field="speed">{formatValue(v.fields['VehicleSpeed'])}</td>
            <td data-field="soc">{formatValue(stateOfCharge(v.fields) ?? undefined)}</td>
            <td data-field="gear">{formatValue(v.fields['Gear'])}</td>
            <td>{formatTime(v.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Alerts still active, across the vehicles shown. */
export function ActiveAlerts(props: { readonly state: FleetState }) {
  const active = [...props.state.vehicles.values()].flatMap((v) =>
    [...v.alerts.values()].map((alert) => ({ vin: v.vin, ...alert })),
  );
  if (active.length === 0) return <p class="empty">No active alerts.</p>;
  return (
    <ul class="alerts">
      {active.map((a) => (
        <li key={`${a.vin}/${a.name}`} data-alert={a.name}>
          <strong>{a.name}</strong> <span class="vin">{a.vin}</span> {a.audiences.join(', ')} since{' '}
          {formatTime(a.startedAt)}
        </li>
      ))}
    </ul>
  );
}

/** The latest errors vehicles reported, newest first. */
export function RecentErrors(props: { readonly state: FleetState }) {
  if (props.state.errors.length === 0) return <p class="empty">No errors reported.</p>;
  return (
    <ul class="errors">
      {props.state.errors.map((e) => (
        <li key={e.seq} data-error={e.name}>
          <strong>{e.name}</strong> <span class="vin">{e.vin}</span> {formatTime(e.createdAt)}
          {e.body ? <div class="body">{e.body}</div> : null}
        </li>
      ))}
    </ul>
  );
}

/** Every field of the selected vehicle, by name. */
export function FieldTable(props: { readonly vehicle: VehicleView }) {
  const names = Object.keys(props.vehicle.fields).sort();
  return (
    <table class="fields">
      <tbody>
        {names.map((name) => (
          <tr key={name} data-field-name={name}>
            <th>{name}</th>
            <td>{formatValue(props.vehicle.fields[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
