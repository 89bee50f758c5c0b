import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';

const repoRoot = join(__dirname, '..', '..', '..', '..');

/** Subscribes to a kernel's iopub socket and says whether any message arrived within 4 s. */
const SUBSCRIBER = `
import sys, zmq
socket = zmq.Context().socket(zmq.SUB)
socket.setsockopt(zmq.SUBSCRIBE, b'')
socket.connect(sys.argv[1])
print('received' if socket.poll(4000) else 'nothing', flush=True)
`;

/** The kernel's iopub address, from the connection file named on its command line. */
function iopubAddress(pid: number): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const file = argv[argv.indexOf('-f') + 1];
  if (!file) throw new Error(`no connection file in ${argv.join(' ')}`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as { transport: string; ip: string; iopub_port: number };
  return info.transport === 'ipc' ? `ipc://${info.ip}-${info.iopub_port}` : `tcp://${info.ip}:${info.iopub_port}`;
}

/** Runs the subscriber (as `user`, or as this user) while the kernel prints without pause. */
async function subscribe(kernel: PythonKernelProcess, address: string, user?: string): Promise<string> {
  const command = user ? ['setpriv', '--reuid', user, '--regid', 'nogroup', '--clear-groups', '/usr/bin/python3'] : ['/usr/bin/python3'];
  const child = spawn(command[0], [...command.slice(1), '-c', SUBSCRIBER, address], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const abort = new AbortController();
  const printing = kernel.execute("import time\nwhile True:\n    print('secret output', flush=True)\n    time.sleep(0.02)", { signal: abort.signal });
  await exited;
  abort.abort();
  await printing;
  if (!stdout.trim()) throw new Error(`the subscriber failed: ${stderr}`);
  return stdout.trim();
}

describe("A local kernel's output channels (real ipykernel)", function () {
  this.timeout(60_000);
  let kernel: PythonKernelProcess;
  let address: string;

  before(async function () {
    // Another local user is needed to show what they cannot read: root can act as `nobody`.
    if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip();
    kernel = new PythonKernelProcess({ pythonPath: '/usr/bin/python3', bridgePath: join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py') });
    const info = await kernel.start();
    if (info.pid === undefined) throw new Error('the kernel did not say its pid');
    address = iopubAddress(info.pid);
  });

  after(async () => {
    await kernel?.dispose();
  });

  it('can be read by the user who started the kernel (the check works)', async () => {
    assert.equal(await subscribe(kernel, address), 'received');
  });

  it('cannot be read by another local user', async () => {
    assert.equal(await subscribe(kernel, address, 'nobody'), 'nothing', `iopub at ${address}`);
  });
});
