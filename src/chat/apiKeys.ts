/**
 * API keys in VS Code's SecretStorage, one per server (see apiKeyOwner): a key set for one
 * server is never sent to another. No `vscode` import: the store is passed in (SecretStorage
 * in the extension), so the policy for keys saved by earlier versions is unit-tested.
 */
import { apiKeyOwner } from '../llm/providerConfig';

/** The part of VS Code's SecretStorage used here. */
export interface KeyStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** Where keys were kept before each server had its own (see storedApiKey). */
const LEGACY_API_KEY_SECRET = 'codeact.apiKey';

/** The SecretStorage key of the API key for the server at `baseURL`. */
export function apiKeySecret(baseURL: string): string {
  return `${LEGACY_API_KEY_SECRET}@${apiKeyOwner(baseURL)}`;
}

/** The key stored for the server at `baseURL`, if any. */
export async function storedApiKey(secrets: KeyStore, baseURL: string): Promise<string | undefined> {
  await adoptLegacyApiKey(secrets, baseURL);
  return secrets.get(apiKeySecret(baseURL));
}

const adoptions = new WeakMap<KeyStore, Promise<void>>();

/**
 * A key saved before keys were kept per server belongs to the server in use when this version
 * first touches keys (a request, or Set API Key): it is moved there once and the old entry
 * deleted, so it can never reach a server set later. Unless that server has a key already,
 * which wins.
 */
export function adoptLegacyApiKey(secrets: KeyStore, baseURL: string): Promise<void> {
  let adoption = adoptions.get(secrets);
  if (!adoption) {
    adoption = (async () => {
      const legacy = await secrets.get(LEGACY_API_KEY_SECRET);
      if (legacy === undefined) return;
      const name = apiKeySecret(baseURL);
      if ((await secrets.get(name)) === undefined) await secrets.store(name, legacy);
      await secrets.delete(LEGACY_API_KEY_SECRET);
    })();
    // A store that failed (a locked keyring) is asked again next time.
    adoption.catch(() => adoptions.delete(secrets));
    adoptions.set(secrets, adoption);
  }
  return adoption;
}
