import * as assert from 'node:assert/strict';
import { apiKeyOwner, OPENAI_DEFAULT_BASE_URL, type ProviderConfigResult, resolveBaseUrl, resolveProviderConfig } from '../../../src/llm/providerConfig';

function ok(result: ProviderConfigResult) {
  assert.equal(result.ok, true, JSON.stringify(result));
  return result.config;
}

function problem(result: ProviderConfigResult): string {
  assert.equal(result.ok, false, JSON.stringify(result));
  return result.problem;
}

describe('resolveProviderConfig', () => {
  const model = 'gpt-4o-mini';

  it('uses the settings and the stored key first', () => {
    const config = ok(resolveProviderConfig({ baseUrl: 'http://localhost:11434/v1/', model }, 'stored', { OPENAI_API_KEY: 'env', OPENAI_BASE_URL: 'http://env/v1' }));
    assert.deepEqual(config, { baseURL: 'http://localhost:11434/v1', apiKey: 'stored', model, baseURLSource: 'setting', apiKeySource: 'secretStorage' });
  });

  it('falls back to OPENAI_BASE_URL and OPENAI_API_KEY when nothing is configured', () => {
    const config = ok(resolveProviderConfig({ baseUrl: ' ', model }, undefined, { OPENAI_API_KEY: ' env-key ', OPENAI_BASE_URL: 'http://proxy:8080/v1' }));
    assert.deepEqual(config, { baseURL: 'http://proxy:8080/v1', apiKey: 'env-key', model, baseURLSource: 'environment', apiKeySource: 'environment' });
  });

  it('defaults to OpenAI', () => {
    const config = ok(resolveProviderConfig({ baseUrl: '', model }, 'k', {}));
    assert.equal(config.baseURL, OPENAI_DEFAULT_BASE_URL);
    assert.equal(config.baseURLSource, 'default');
  });

  it('never sends the environment key to a server chosen in the settings', () => {
    const config = ok(resolveProviderConfig({ baseUrl: 'http://somewhere.example/v1', model }, undefined, { OPENAI_API_KEY: 'env-key' }));
    assert.equal(config.apiKey, undefined);
    assert.equal(config.apiKeySource, 'none');
    const openai = ok(resolveProviderConfig({ baseUrl: 'https://api.openai.com/v1', model }, undefined, { OPENAI_API_KEY: 'env-key' }));
    assert.equal(openai.apiKey, 'env-key');
  });

  it('allows no key for local servers', () => {
    assert.equal(ok(resolveProviderConfig({ baseUrl: 'http://127.0.0.1:1234/v1', model }, '', {})).apiKey, undefined);
  });

  it('asks for a key for OpenAI, and offers a local server instead', () => {
    const result = resolveProviderConfig({ baseUrl: '', model }, undefined, {});
    assert.match(problem(result), /No API key for OpenAI.*CodeAct: Set API Key.*OPENAI_API_KEY.*local model server/);
    assert.deepEqual(result.ok ? undefined : [result.fix, result.alternativeFix], ['setApiKey', 'useLocalServer']);
  });

  it('refuses a URL that is not http(s), and a missing model', () => {
    assert.match(problem(resolveProviderConfig({ baseUrl: 'localhost:11434', model }, 'k', {})), /must start with http/);
    assert.match(problem(resolveProviderConfig({ baseUrl: 'not a url', model }, 'k', {})), /not a valid URL/);
    assert.match(problem(resolveProviderConfig({ baseUrl: '', model: ' ' }, 'k', {})), /No model is set/);
  });
});

describe('whose API key it is', () => {
  it('a key belongs to one server: scheme, host and port, whatever the path', () => {
    assert.equal(apiKeyOwner('https://api.openai.com/v1'), 'https://api.openai.com');
    assert.equal(apiKeyOwner('https://openrouter.ai/api/v1'), 'https://openrouter.ai');
    assert.equal(apiKeyOwner('http://localhost:11434/v1'), 'http://localhost:11434');
    assert.notEqual(apiKeyOwner('http://localhost:11434/v1'), apiKeyOwner('http://localhost:1234/v1'));
    assert.notEqual(apiKeyOwner('http://api.openai.com/v1'), apiKeyOwner('https://api.openai.com/v1'), 'not sent over plain http either');
  });

  it('the server is known before the key is looked up', () => {
    const base = resolveBaseUrl({ baseUrl: 'http://localhost:11434/v1/' }, {});
    assert.deepEqual(base.ok ? [base.baseURL, base.source] : base, ['http://localhost:11434/v1', 'setting']);
    assert.equal(resolveBaseUrl({ baseUrl: 'ftp://x' }, {}).ok, false);
  });
});
