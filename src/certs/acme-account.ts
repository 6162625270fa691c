import type { Clock } from '../core/clock.ts';
import { type SealingKey, seal, unseal } from '../core/sealing.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/types.ts';
import { AcmeCa, type AcmeCaSettings, newAccountKey } from './acme-ca.ts';
import { CertError } from './cert-error.ts';
import { ACME_ACCOUNTS } from './cert-records.ts';

/**
 * The account at the configured CA, shared by every node: its key is made once, stored sealed and
 * bound to the directory URL; a second node starting at the same time keeps the first one's.
 */
export async function openAcmeAccount(
  store: Store,
  settings: AcmeCaSettings,
  sealKey: SealingKey,
  clock: Clock,
): Promise<AcmeCa> {
  const accounts = store.collection(ACME_ACCOUNTS);
  let account = await accounts.get(settings.directory);
  if (!account) {
    try {
      await accounts.insert({
        directory: settings.directory,
        sealedKey: seal(sealKey, (await newAccountKey()).toString(), settings.directory),
        ...(settings.email ? { email: settings.email } : {}),
        createdAt: new Date(clock()).toISOString(),
      });
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
    }
    account = (await accounts.get(settings.directory))!;
  }
  const key = unseal(sealKey, account.sealedKey, settings.directory);
  if (key === undefined)
    throw new CertError(
      'CERT_ORDER_FAILED',
      'the stored ACME account key does not open with this secret key: give every node the same GATEHOUSE_SECRET_KEY',
    );
  const ca = new AcmeCa(settings, key, account.accountUrl);
  const url = await ca.register();
  if (url !== account.accountUrl)
    await accounts.update(settings.directory, (a) => ({ ...a, accountUrl: url }));
  return ca;
}
