import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type PageAccess, pageAccess } from './access.ts';
import { type ConnectionState, connect } from './connection.ts';
import { FleetState } from './fleet-state.ts';
import { LiveChart } from './live-chart.tsx';
import { LocationTrace } from './location-trace.tsx';
import { ActiveAlerts, FieldTable, RecentErrors, VehicleTable } from './panels.tsx';
import { forgetToken, keepToken, takeToken } from './token.ts';

/**
 * The dashboard: a token form until there is a token, then the live fleet; served by a Tesla
 * login, the person's own vehicles at once, signed in by the login's cookie.
 */
export function App() {
  const access = useMemo(() => pageAccess(), []);
  const [token, setToken] = useState<string | undefined>(() =>
    access.kind === 'token' ? takeToken() : undefined,
  );
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  if (access.kind === 'tesla-login')
    return refusal ? (
      <LoginEnded access={access} refusal={refusal} />
    ) : (
      <Fleet token={undefined} access={access} refused={setRefusal} />
    );
  if (!token)
    return (
      <TokenForm
        refusal={refusal}
        submit={(t) => {
          keepToken(t);
          setRefusal(undefined);
          setToken(t);
        }}
      />
    );
  return (
    <Fleet
      token={token}
      access={access}
      refused={(message) => {
        forgetToken();
        setRefusal(message);
        setToken(undefined);
      }}
    />
  );
}

function LoginEnded(props: {
  readonly access: Extract<PageAccess, { kind: 'tesla-login' }>;
  readonly refusal: string;
}) {
  return (
    <main class="token">
      <h1>Your vehicles, live</h1>
      <p class="refusal" role="alert">
        {props.refusal}
      </p>
      <p>
        <a href={props.access.login}>Log in with Tesla</a> ·{' '}
        <a href={props.access.report}>Your vehicles' report</a>
      </p>
    </main>
  );
}

function TokenForm(props: {
  readonly refusal: string | undefined;
  readonly submit: (token: string) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <main class="token">
      <h1>Fleet dashboard</h1>
      {props.refusal ? (
        <p class="refusal" role="alert">
          {props.refusal}
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const value = input.current?.value.trim();
          if (value) props.submit(value);
        }}
      >
        <label>
          Token (DASHBOARD_TOKEN, or a JWT signed with it)
          <input ref={input} name="token" type="password" autocomplete="off" required />
        </label>
        <button type="submit">Open</button>
      </form>
    </main>
  );
}

function Fleet(props: {
  readonly token: string | undefined;
  readonly access: PageAccess;
  readonly refused: (message: string) => void;
}) {
  const state = useMemo(() => new FleetState(), []);
  const [version, setVersion] = useState(0);
  const [connection, setConnection] = useState<ConnectionState>({ kind: 'connecting' });
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useEffect(() => {
    // Records can arrive by the hundred a second: redraw at most once a frame.
    let drawing = false;
    return connect(props.token, {
      message: (message) => {
        state.apply(message);
        if (drawing) return;
        drawing = true;
        requestAnimationFrame(() => {
          drawing = false;
          setVersion(state.version);
        });
      },
      state: (next) => {
        if (next.kind === 'refused') props.refused(next.message);
        else setConnection(next);
      },
    });
  }, [props.token]);

  const vehicles = [...state.vehicles.values()].sort((a, b) => a.vin.localeCompare(b.vin));
  const shown = vehicles.find((v) => v.vin === selected) ?? vehicles[0];
  return (
    <main class="fleet" data-version={version}>
      <header>
        <h1>{props.access.kind === 'tesla-login' ? 'Your vehicles, live' : 'Fleet dashboard'}</h1>
        {props.access.kind === 'tesla-login' ? (
          <a id="report-link" href={props.access.report}>
            Report
          </a>
        ) : null}
        <span class="connection" data-connection={connection.kind}>
          {connection.kind === 'retrying'
            ? `${connection.why}; retrying in ${connection.inSeconds} s`
            : connection.kind === 'open'
              ? 'live'
              : 'connecting…'}
        </span>
      </header>
      <section>
        <h2>Vehicles</h2>
        <VehicleTable vehicles={vehicles} selected={shown?.vin} select={setSelected} />
      </section>
      {shown ? (
        <section class="detail" data-detail={shown.vin}>
          <h2>{shown.vin}</h2>
          <div class="charts">
            <LiveChart
              key={`${shown.vin}/speed`}
              name="speed"
              label="Speed"
              unit="mph"
              series={shown.speed}
              version={version}
            />
            <LiveChart
              key={`${shown.vin}/soc`}
              name="soc"
              label="State of charge"
              unit="%"
              series={shown.soc}
              version={version}
              range={[0, 100]}
            />
            <LocationTrace points={shown.trace} />
          </div>
          <FieldTable vehicle={shown} />
        </section>
      ) : null}
      <section>
        <h2>Active alerts</h2>
        <ActiveAlerts state={state} />
      </section>
      <section>
        <h2>Recent errors</h2>
        <RecentErrors state={state} />
      </section>
    </main>
  );
}
