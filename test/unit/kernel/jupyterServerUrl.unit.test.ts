import * as assert from 'node:assert/strict';
import { parseJupyterServerUrl, type JupyterServerAddress } from '../../../src/kernel/remote/jupyterServerUrl';

function parsed(input: string, token?: string): JupyterServerAddress {
  const result = parseJupyterServerUrl(input, token);
  assert.ok(result.ok, `${input}: ${result.ok ? '' : result.error}`);
  return result.address;
}

function rejected(input: string): string {
  const result = parseJupyterServerUrl(input);
  assert.ok(!result.ok, `${input} was accepted as ${JSON.stringify(result.ok ? result.address : undefined)}`);
  return result.error;
}

describe('parseJupyterServerUrl', () => {
  describe('what jupyter lab / jupyter server print', () => {
    const cases: [string, string, string][] = [
      ['http://host:8888/?token=abc', 'http://host:8888/', 'abc'],
      ['http://127.0.0.1:8888/lab?token=abc', 'http://127.0.0.1:8888/', 'abc'],
      ['http://localhost:8888/tree?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/lab/tree/work/analysis.ipynb?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/notebooks/analysis.ipynb?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/lab/workspaces/auto-x?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/api/kernels?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/nbclassic/tree?token=abc', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888/?token=abc&foo=bar', 'http://localhost:8888/', 'abc'],
      ['http://localhost:8888', 'http://localhost:8888/', ''],
    ];
    for (const [input, baseUrl, token] of cases) {
      it(`${input} → ${baseUrl}`, () => {
        const address = parsed(input);
        assert.equal(address.baseUrl, baseUrl);
        assert.equal(address.wsUrl, baseUrl.replace(/^http/, 'ws'));
        assert.equal(address.token, token);
      });
    }
  });

  describe('a server under a base path', () => {
    it('keeps a base_url prefix and cuts at the UI', () => {
      assert.equal(parsed('https://example.org/jupyter/lab?token=x').baseUrl, 'https://example.org/jupyter/');
      assert.equal(parsed('https://example.org/a/b/tree?token=x').baseUrl, 'https://example.org/a/b/');
    });

    it('adds the trailing slash a bare prefix lacks', () => {
      assert.equal(parsed('http://example.org/prefix').baseUrl, 'http://example.org/prefix/');
    });
  });

  describe('JupyterHub', () => {
    it('takes a user server URL with its token', () => {
      const address = parsed('https://hub.example.org/user/alice/?token=hubtoken');
      assert.deepEqual(address, { baseUrl: 'https://hub.example.org/user/alice/', wsUrl: 'wss://hub.example.org/user/alice/', token: 'hubtoken' });
    });

    it('cuts the UI path after user/<name>', () => {
      assert.equal(parsed('https://hub.example.org/user/alice/lab?token=t').baseUrl, 'https://hub.example.org/user/alice/');
      assert.equal(parsed('https://hub.example.org/user/alice/lab/tree/x.ipynb').baseUrl, 'https://hub.example.org/user/alice/');
    });

    it('keeps a user whose name is a UI word, and a named server', () => {
      assert.equal(parsed('https://hub.example.org/user/lab/lab?token=t').baseUrl, 'https://hub.example.org/user/lab/');
      assert.equal(parsed('https://hub.example.org/user/alice/gpu/lab?token=t').baseUrl, 'https://hub.example.org/user/alice/gpu/');
    });

    it("keeps the hub's own base path", () => {
      assert.equal(parsed('https://example.org/jhub/user/alice/lab').baseUrl, 'https://example.org/jhub/user/alice/');
    });

    it("rejects the hub's own pages, saying what to paste instead", () => {
      assert.match(rejected('https://hub.example.org/hub/login'), /JupyterHub's own address.*\/user\/<name>\//);
      assert.match(rejected('https://hub.example.org/hub/user-redirect/lab'), /JupyterHub's own address/);
    });
  });

  describe('the token', () => {
    it('takes a token given apart, over none in the URL', () => {
      assert.equal(parsed('http://host:8888/', 'tok').token, 'tok');
    });

    it('prefers the token given apart to the one in the URL', () => {
      assert.equal(parsed('http://host:8888/?token=old', 'new').token, 'new');
    });

    it('ignores a blank token given apart', () => {
      assert.equal(parsed('http://host:8888/?token=inurl', '   ').token, 'inurl');
    });

    it('decodes an encoded token and finds one in the fragment', () => {
      assert.equal(parsed('http://host:8888/?token=a%2Bb%3D').token, 'a+b=');
      assert.equal(parsed('http://host:8888/lab#token=frag').token, 'frag');
    });

    it('is empty for a server without one', () => {
      assert.equal(parsed('http://host:8888/lab').token, '');
    });

    it('never ends up in the base URL', () => {
      const address = parsed('http://host:8888/lab?token=secret#token=other');
      assert.ok(!address.baseUrl.includes('secret') && !address.wsUrl.includes('secret'));
    });
  });

  describe('what people paste around the URL', () => {
    it('trims spaces, quotes and angle brackets', () => {
      assert.equal(parsed('  <http://host:8888/?token=a>  ').token, 'a');
      assert.equal(parsed('"http://host:8888/?token=a"').baseUrl, 'http://host:8888/');
      assert.equal(parsed("'http://host:8888/lab?token=a'\n").baseUrl, 'http://host:8888/');
    });

    it('assumes http:// for host:port without a scheme', () => {
      assert.deepEqual(parsed('localhost:8888/?token=abc'), { baseUrl: 'http://localhost:8888/', wsUrl: 'ws://localhost:8888/', token: 'abc' });
      assert.equal(parsed('127.0.0.1:8888').baseUrl, 'http://127.0.0.1:8888/');
      assert.equal(parsed('gpu-box.internal:8888/lab').baseUrl, 'http://gpu-box.internal:8888/');
    });

    it('normalises the scheme and host case, default ports and IPv6', () => {
      assert.equal(parsed('HTTP://Host.Example:8888/lab').baseUrl, 'http://host.example:8888/');
      assert.equal(parsed('https://host.example:443/').baseUrl, 'https://host.example/');
      const v6 = parsed('http://[::1]:8888/?token=x');
      assert.equal(v6.baseUrl, 'http://[::1]:8888/');
      assert.equal(v6.wsUrl, 'ws://[::1]:8888/');
    });
  });

  describe('what is not a Jupyter Server address', () => {
    it('rejects schemes other than http and https', () => {
      for (const input of ['ftp://host/', 'ws://host:8888/', 'wss://host/', 'file:///home/me/x.ipynb', 'javascript:alert(1)', 'vscode://x']) {
        assert.match(rejected(input), /use an http:\/\/ or https:\/\/ URL/, input);
      }
    });

    it('rejects an empty input', () => {
      assert.match(rejected('   '), /Enter the URL of a Jupyter Server/);
    });

    it('rejects credentials in the URL', () => {
      assert.match(rejected('http://me:secret@host:8888/'), /Remove the user name and password/);
    });

    it('rejects what is no URL, without repeating the token', () => {
      const error = rejected('http://[bad/?token=secret');
      assert.match(error, /is not a valid URL/);
      assert.ok(!error.includes('secret'), error);
    });
  });
});
