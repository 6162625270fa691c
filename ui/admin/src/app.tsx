import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { revokeLogin } from './oauth.ts';
import { AnalyticsPage } from './pages/analytics.tsx';
import { CertificatesPage } from './pages/certificates.tsx';
import { KeysPage } from './pages/keys.tsx';
import { McpPage } from './pages/mcp.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { RelayPage } from './pages/relay.tsx';
import { RequestsPage } from './pages/requests.tsx';
import { RoutesPage } from './pages/routes.tsx';
import { TunnelsPage } from './pages/tunnels.tsx';
import { SignIn } from './sign-in.tsx';
import { forgetToken, savedToken } from './tokens.ts';

/** What a page is given: the rest of its address (`demo` of `#/tunnels/demo`), empty on the page itself. */
export interface PageProps {
  readonly sub: string;
}

/** The pages, in the order the navigation lists them, by their `#/…` address. */
const PAGES: readonly { path: string; title: string; page: (props: PageProps) => JSX.Element }[] = [
  { path: 'overview', title: 'Overview', page: OverviewPage },
  { path: 'routes', title: 'Routes', page: RoutesPage },
  { path: 'tunnels', title: 'Tunnels', page: TunnelsPage },
  { path: 'requests', title: 'Requests', page: RequestsPage },
  { path: 'analytics', title: 'Analytics', page: AnalyticsPage },
  { path: 'relay', title: 'Relay', page: RelayPage },
  { path: 'certificates', title: 'Certificates', page: CertificatesPage },
  { path: 'mcp', title: 'MCP audit', page: McpPage },
  { path: 'keys', title: 'API keys', page: KeysPage },
];

/** The page the address names and the rest of the address after it. */
function currentPath(): { path: string; sub: string } {
  const address = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const slash = address.indexOf('/');
  const asked = slash < 0 ? address : address.slice(0, slash);
  if (!PAGES.some((p) => p.path === asked)) return { path: 'overview', sub: '' };
  return { path: asked, sub: slash < 0 ? '' : address.slice(slash + 1) };
}

/** The admin app: sign-in until a key or token is held, then the pages. */
export function App() {
  const [signedIn, setSignedIn] = useState(savedToken() !== null);
  const [{ path, sub }, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  useEffect(() => {
    // A refused key (or a login whose refresh was refused too) sends the app back to sign-in.
    const refused = () => setSignedIn(false);
    addEventListener('gatehouse:unauthorized', refused);
    return () => removeEventListener('gatehouse:unauthorized', refused);
  }, []);

  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const current = PAGES.find((p) => p.path === path) ?? PAGES[0]!;
  const Page = current.page;
  return (
    <div class="shell">
      <nav aria-label="Pages">
        <p class="brand">Gatehouse</p>
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p.path === current.path ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
          <li>
            <a href="/fleet/dashboard">Fleet dashboard</a>
          </li>
        </ul>
        <button
          type="button"
          class="quiet"
          onClick={async () => {
            // A login ends at the server too; the tab forgets it even if the server cannot be told.
            await revokeLogin().catch(() => {});
            forgetToken();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <main>
        <h1>{current.title}</h1>
        <Page key={current.path} sub={sub} />
      </main>
    </div>
  );
}
