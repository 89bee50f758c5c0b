/** The pure parts of the remote kernel: iopub → outputs, and HTTP/network failures → messages. */
import * as assert from 'node:assert/strict';
import { iopubEvent, mimeBundle } from '../../../src/kernel/remote/iopubOutputs';
import { describeHttpFailure, describeNetworkFailure } from '../../../src/kernel/remote/jupyterRestClient';
import type { JupyterServerAddress } from '../../../src/kernel/remote/jupyterServerUrl';

const SERVER: JupyterServerAddress = { baseUrl: 'https://gpu.example/', wsUrl: 'wss://gpu.example/', token: 'secret' };

describe('Remote kernel messages', () => {
  describe('iopubEvent', () => {
    it('turns stream messages into stdout or stderr text', () => {
      assert.deepEqual(iopubEvent('stream', { name: 'stdout', text: 'hi\n' }), { type: 'output', isUpdate: false, output: { kind: 'stream', name: 'stdout', text: 'hi\n' } });
      assert.deepEqual(iopubEvent('stream', { name: 'stderr', text: ['a', 'b'] }), { type: 'output', isUpdate: false, output: { kind: 'stream', name: 'stderr', text: 'ab' } });
    });

    it('marks execute_result as the result, with its count', () => {
      const event = iopubEvent('execute_result', { data: { 'text/plain': '42' }, metadata: {}, execution_count: 3 });
      assert.deepEqual(event, { type: 'output', isUpdate: false, output: { kind: 'data', isResult: true, data: { 'text/plain': '42' }, metadata: {}, executionCount: 3 } });
    });

    it('keeps display ids, and makes update_display_data an update', () => {
      const shown = iopubEvent('display_data', { data: { 'text/plain': 'a' }, metadata: {}, transient: { display_id: 'd1' } });
      assert.equal(shown?.type === 'output' && shown.output.kind === 'data' ? shown.output.displayId : undefined, 'd1');
      const updated = iopubEvent('update_display_data', { data: { 'text/plain': 'b' }, metadata: {}, transient: { display_id: 'd1' } });
      assert.ok(updated?.type === 'output' && updated.isUpdate && updated.output.kind === 'data' && updated.output.displayId === 'd1');
      assert.equal(iopubEvent('update_display_data', { data: { 'text/plain': 'b' }, metadata: {} }), undefined, 'an update without a display id updates nothing');
    });

    it('turns errors into name, value and traceback', () => {
      assert.deepEqual(iopubEvent('error', { ename: 'ValueError', evalue: 'bad', traceback: ['line 1', 'line 2'] }), {
        type: 'output',
        isUpdate: false,
        output: { kind: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['line 1', 'line 2'] },
      });
    });

    it('passes clear_output on, with wait', () => {
      assert.deepEqual(iopubEvent('clear_output', { wait: true }), { type: 'clearOutput', wait: true });
      assert.deepEqual(iopubEvent('clear_output', {}), { type: 'clearOutput', wait: false });
    });

    it('ignores messages without output, and survives malformed content', () => {
      for (const type of ['status', 'execute_input', 'comm_open', 'shutdown_reply']) assert.equal(iopubEvent(type, { execution_state: 'idle' }), undefined);
      assert.deepEqual(iopubEvent('stream', null), { type: 'output', isUpdate: false, output: { kind: 'stream', name: 'stdout', text: '' } });
      assert.deepEqual(iopubEvent('error', { ename: 7, traceback: 'no list' }), { type: 'output', isUpdate: false, output: { kind: 'error', ename: '7', evalue: '', traceback: [] } });
    });
  });

  describe('mimeBundle', () => {
    it('keeps strings, joins line lists, and writes JSON mime types as JSON text', () => {
      assert.deepEqual(mimeBundle({ 'image/png': 'iVBOR', 'text/html': ['<b>', 'x</b>'], 'application/json': { a: [1, 2] }, 'application/vnd.custom+json': 5 }), {
        'image/png': 'iVBOR',
        'text/html': '<b>x</b>',
        'application/json': '{"a":[1,2]}',
        'application/vnd.custom+json': '5',
      });
      assert.deepEqual(mimeBundle('nope'), {});
    });
  });

  describe('describeHttpFailure', () => {
    it('says the token was rejected on 401 and 403, without the token', async () => {
      for (const status of [401, 403]) {
        const error = await describeHttpFailure(new Response('{"message": "Forbidden"}', { status }), SERVER);
        assert.equal(error.reason, 'authFailed');
        assert.match(error.message, /rejected the token/);
        assert.ok(!error.message.includes('secret'));
        assert.equal(error.serverUrl, SERVER.baseUrl);
      }
    });

    it('says a token is needed when none was given', async () => {
      const error = await describeHttpFailure(new Response('', { status: 403 }), { ...SERVER, token: '' });
      assert.match(error.message, /needs a token/);
    });

    it('treats a redirect to a login page as a rejected token, and names other redirects', async () => {
      const login = await describeHttpFailure(new Response(null, { status: 302, headers: { location: '/hub/login?next=x' } }), SERVER);
      assert.equal(login.reason, 'authFailed');
      assert.match(login.message, /login page/);
      const moved = await describeHttpFailure(new Response(null, { status: 301, headers: { location: 'https://other.example/' } }), SERVER);
      assert.equal(moved.reason, 'serverError');
      assert.match(moved.message, /redirected to https:\/\/other\.example\//);
    });

    it('explains 404, a stopped JupyterHub server, and an unknown kernel', async () => {
      assert.match((await describeHttpFailure(new Response('', { status: 404 }), SERVER)).message, /no Jupyter Server API at https:\/\/gpu\.example\//);
      assert.match((await describeHttpFailure(new Response('', { status: 424 }), SERVER)).message, /is not running/);
      const noKernel = await describeHttpFailure(new Response(JSON.stringify({ message: 'Unhandled error', traceback: 'Traceback…\njupyter_client.kernelspec.NoSuchKernel: No such kernel named r' }), { status: 500 }), SERVER);
      assert.equal(noKernel.reason, 'kernelNotFound');
      assert.match(noKernel.message, /No such kernel named r$/);
    });

    it("repeats the server's own message on other errors", async () => {
      const error = await describeHttpFailure(new Response(JSON.stringify({ message: 'Disk full' }), { status: 500, statusText: 'Internal Server Error' }), SERVER);
      assert.equal(error.reason, 'serverError');
      assert.match(error.message, /failed \(500 Internal Server Error\): Disk full$/);
    });
  });

  describe('describeNetworkFailure', () => {
    const failed = (code: string): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

    it('names refused connections, unknown hosts, TLS problems and timeouts', () => {
      assert.match(describeNetworkFailure(failed('ECONNREFUSED'), SERVER.baseUrl, 30_000).message, /Nothing is listening at https:\/\/gpu\.example\/ \(connection refused\)/);
      assert.match(describeNetworkFailure(failed('ENOTFOUND'), SERVER.baseUrl, 30_000).message, /host "gpu\.example" .* was not found/);
      assert.match(describeNetworkFailure(failed('DEPTH_ZERO_SELF_SIGNED_CERT'), SERVER.baseUrl, 30_000).message, /TLS certificate .* not accepted/);
      const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
      assert.match(describeNetworkFailure(timeout, SERVER.baseUrl, 30_000).message, /did not answer within 30 s/);
      for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH']) assert.equal(describeNetworkFailure(failed(code), SERVER.baseUrl, 1000).reason, 'serverUnreachable');
    });
  });
});
