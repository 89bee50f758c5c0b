/**
 * Keys per server, and what happens to a key saved by an earlier version (one key for every
 * server). The store here is a Map with SecretStorage's three methods; the extension passes
 * VS Code's SecretStorage, which the UI tests use for real (the key typed into the prompt).
 */
import * as assert from 'node:assert/strict';
import { adoptLegacyApiKey, apiKeySecret, type KeyStore, storedApiKey } from '../../../src/chat/apiKeys';

class MapKeyStore implements KeyStore {
  readonly entries = new Map<string, string>();
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }
}

const OPENAI = 'https://api.openai.com/v1';
const PROXY = 'https://llm-proxy.example.com/v1';

describe('API keys, one per server', () => {
  it('a key set for one server is not found for another', async () => {
    const secrets = new MapKeyStore();
    await secrets.store(apiKeySecret(OPENAI), 'sk-openai');
    assert.equal(await storedApiKey(secrets, OPENAI), 'sk-openai');
    assert.equal(await storedApiKey(secrets, PROXY), undefined);
    assert.equal(await storedApiKey(secrets, 'https://api.openai.com/v2/other'), 'sk-openai', 'the same server, another path');
  });

  it('a key saved by an earlier version goes to the server in use then, once: a server set later never gets it', async () => {
    const secrets = new MapKeyStore();
    await secrets.store('codeact.apiKey', 'sk-legacy');
    assert.equal(await storedApiKey(secrets, OPENAI), 'sk-legacy');
    assert.equal(await storedApiKey(secrets, PROXY), undefined);
    assert.deepEqual([...secrets.entries.keys()], [apiKeySecret(OPENAI)], 'the old entry is gone');
  });

  it('Set API Key before the first request still settles the old key first (it cannot surface later for another server)', async () => {
    const secrets = new MapKeyStore();
    await secrets.store('codeact.apiKey', 'sk-legacy');
    // What Set API Key does: adopt, then store the new key for the current server.
    await adoptLegacyApiKey(secrets, OPENAI);
    await secrets.store(apiKeySecret(OPENAI), 'sk-new');
    assert.equal(await storedApiKey(secrets, PROXY), undefined);
    assert.equal(await storedApiKey(secrets, OPENAI), 'sk-new');
    // And removing the key (Set API Key with an empty value) does not bring the old one back.
    await adoptLegacyApiKey(secrets, OPENAI);
    await secrets.delete(apiKeySecret(OPENAI));
    assert.equal(await storedApiKey(secrets, OPENAI), undefined);
  });

  it('an old key does not replace a key the server already has', async () => {
    const secrets = new MapKeyStore();
    await secrets.store('codeact.apiKey', 'sk-legacy');
    await secrets.store(apiKeySecret(OPENAI), 'sk-current');
    assert.equal(await storedApiKey(secrets, OPENAI), 'sk-current');
    assert.equal(secrets.entries.has('codeact.apiKey'), false);
  });
});
