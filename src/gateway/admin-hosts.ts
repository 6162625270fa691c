/** The hosts the admin API, the tunnel endpoint and `/mcp` answer on: loopback names and the domain. */
export function adminHostsOf(domain: string): ReadonlySet<string> {
  return new Set(['localhost', '127.0.0.1', '[::1]', domain]);
}
