import type { Store } from '../../store/types.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { LoginTunnel, TokenTunnelResolver } from '../server/agent-connections.ts';
import type { AccountTunnels, TunnelOwner } from './account-tunnels.ts';

/**
 * The tunnel an agent logged in as a person (`gatehouse login`) connects as: the one it names
 * when it is theirs, else their first. Each refusal says what to do.
 */
export function tokenTunnelResolver(deps: {
  /**
   * The owner a valid login token for Gatehouse's API stands for, and whether the login it came
   * from is still active (false once it is revoked); undefined for a token that is not valid.
   */
  readonly ownerOf: (
    token: string,
  ) => Promise<(TunnelOwner & { readonly loginActive: () => Promise<boolean> }) | undefined>;
  readonly accounts: () => AccountTunnels;
  readonly store: Store;
}): TokenTunnelResolver {
  return async (token: string, name: string | undefined): Promise<LoginTunnel> => {
    const owner = await deps.ownerOf(token);
    if (!owner)
      throw new TunnelError(
        'TUNNEL_KEY_INVALID',
        'the login token is not valid here (expired, revoked or for another server): run gatehouse login again',
      );
    const tunnels = deps.accounts();
    const chosen = name
      ? (await tunnels.owns(owner, name))
        ? name
        : undefined
      : (await tunnels.first(owner))?.name;
    const record = chosen === undefined ? undefined : await deps.store.tunnels.get(chosen);
    if (!record)
      throw new TunnelError(
        'TUNNEL_NOT_FOUND',
        name
          ? `you have no tunnel named ${name}: see your tunnels at /tunnels`
          : 'you may not have a tunnel here (--tunnels-per-user is 0): ask an administrator',
      );
    return { record, loginActive: owner.loginActive };
  };
}
