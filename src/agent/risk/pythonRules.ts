/**
 * The library functions the risky-code check knows, by full name, and what using each one
 * means. A reference is flagged whether or not it is called (`map(os.remove, files)` deletes
 * too); the few rules that look at arguments (urlopen's data, request methods, paths written)
 * need the call.
 */
import { type RiskCategory, type RiskHit, isOutsideWorkingFolder, shown } from './riskTypes';
import { type CallArgument, type MaskedSource, literalIn, literalsIn } from './pythonSource';
import { shellRisks } from './shellCommand';

/** A resolved reference as the rules see it. */
export interface RuleInput {
  /** The full name, e.g. `subprocess.run` or `requests.Session().post`. */
  readonly name: string;
  /** The arguments when the reference is called right away. */
  readonly args: readonly CallArgument[] | undefined;
  /** The arguments of the call just before the last name (`Path('/x')` in `Path('/x').write_text`). */
  readonly receiverArgs: readonly CallArgument[] | undefined;
  /** The last name when the reference is an attribute of something (`x.unlink`). */
  readonly method: string | undefined;
}

/** How the rules read code nested in strings (exec, IPython magics run from Python). */
export interface NestedReaders {
  python(code: string): RiskHit[];
  magic(line: string): RiskHit[];
  cellMagic(header: string, body: string): RiskHit[];
}

interface RuleContext {
  readonly input: RuleInput;
  readonly source: MaskedSource;
  readonly nested: NestedReaders;
}

type Rule = (context: RuleContext) => RiskHit[];

const flag =
  (category: RiskCategory, description: string): Rule =>
  ({ input }) => [{ category, reason: `${description} (${input.name})` }];

function positional(args: readonly CallArgument[] | undefined): CallArgument[] {
  return (args ?? []).filter((a) => a.keyword === undefined);
}

/** The value of the argument at `position` or named `keyword`, if it is a literal string. */
function argument(
  context: RuleContext,
  args: readonly CallArgument[] | undefined,
  position: number | undefined,
  keyword?: string,
): { present: boolean; literal: string | undefined } {
  const arg = (args ?? []).find((a) => keyword !== undefined && a.keyword === keyword) ?? (position === undefined ? undefined : positional(args)[position]);
  if (!arg) return { present: false, literal: undefined };
  return { present: true, literal: literalIn(context.source, arg.valueStart, arg.end) };
}

/** Runs a command: flag it, then read the literal command text for what it does. */
const runsShell: Rule = (context) => {
  const command = positional(context.input.args)
    .flatMap((a) => literalsIn(context.source, a.start, a.end))
    .join(' ');
  return [{ category: 'runsShell', reason: `runs shell commands (${context.input.name})` }, ...shellRisks(command)];
};

const WRITING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `session.request('POST', url)`: flagged unless the method is literally a reading one. */
const requestWithMethod: Rule = (context) => {
  const method = argument(context, context.input.args, 0, 'method');
  if (method.literal !== undefined && !WRITING_METHODS.has(method.literal.toUpperCase())) return [];
  return [{ category: 'networkWrite', reason: `sends data over the network (${context.input.name})` }];
};

/** `urlopen(url, data)` and `Request(url, data=..., method='POST')` send; a bare URL only reads. */
const urllibSends: Rule = (context) => {
  const data = argument(context, context.input.args, 1, 'data');
  const method = argument(context, context.input.args, undefined, 'method');
  const sends = data.present || (method.present && (method.literal === undefined || WRITING_METHODS.has(method.literal.toUpperCase())));
  return sends ? [{ category: 'networkWrite', reason: `sends data over the network (${context.input.name})` }] : [];
};

const outside = (path: string | undefined): RiskHit[] =>
  path !== undefined && isOutsideWorkingFolder(path) ? [{ category: 'writesOutsideWorkspace', reason: `writes outside the working folder (${shown(path)})` }] : [];

/** `open(path, mode)`: a write mode (w, a, x, +) to a literal path outside the working folder. */
function opensForWriting(context: RuleContext, pathArgs: readonly CallArgument[] | undefined, pathPosition: number, modePosition: number): RiskHit[] {
  const mode = argument(context, context.input.args, modePosition, 'mode');
  if (mode.literal === undefined || !/[wax+]/.test(mode.literal)) return [];
  return outside(argument(context, pathArgs, pathPosition, pathPosition === 0 ? 'file' : undefined).literal);
}

/** exec/eval of a literal is read like any other code; of anything else, it cannot be checked. */
const runsCode: Rule = (context) => {
  const code = argument(context, context.input.args, 0);
  if (!code.present) return [];
  if (code.literal !== undefined) return context.nested.python(code.literal);
  return [{ category: 'runsDynamicCode', reason: `runs code built at run time (${context.input.name})` }];
};

const rules = new Map<string, Rule>();
function on(names: readonly string[], rule: Rule): void {
  for (const name of names) rules.set(name, rule);
}

const variants = (base: string, suffixes: readonly string[]): string[] => suffixes.map((s) => `${base}${s}`);
const HTTP_CLIENTS = ['requests', 'requests.Session()', 'requests.session()', 'httpx', 'httpx.Client()', 'httpx.AsyncClient()', 'aiohttp.ClientSession()'];

on(['os.remove', 'os.unlink', 'os.rmdir', 'os.removedirs', 'shutil.rmtree'], flag('deletesFiles', 'deletes files'));
on(['shutil.move', 'os.rename', 'os.renames', 'os.replace'], flag('deletesFiles', 'moves files'));
on(['os.truncate', 'os.ftruncate'], flag('deletesFiles', 'empties files'));
on(
  [
    'os.system',
    'os.popen',
    ...variants('os.exec', ['l', 'le', 'lp', 'lpe', 'v', 've', 'vp', 'vpe']),
    ...variants('os.spawn', ['l', 'le', 'lp', 'lpe', 'v', 've', 'vp', 'vpe']),
    'os.posix_spawn',
    'os.posix_spawnp',
    'os.startfile',
    ...variants('subprocess.', ['run', 'call', 'check_call', 'check_output', 'Popen', 'getoutput', 'getstatusoutput']),
    'pty.spawn',
    'asyncio.create_subprocess_exec',
    'asyncio.create_subprocess_shell',
    'pexpect.spawn',
    'pexpect.run',
    'get_ipython().system',
    'get_ipython().system_raw',
    'get_ipython().system_piped',
    'get_ipython().getoutput',
  ],
  runsShell,
);
on(['get_ipython().alias_manager.define_alias', 'get_ipython().alias_manager.soft_define_alias'], (context) => {
  const [alias, command] = positional(context.input.args).map((a) => literalIn(context.source, a.valueStart, a.end));
  return [{ category: 'runsShell', reason: `defines a shell command (${alias === undefined ? context.input.name : `%alias ${shown(alias)}`})` }, ...shellRisks(command ?? '')];
});
on(['pip.main', 'pip._internal.main', 'pip._internal.cli.main.main', 'micropip.install'], flag('installsPackages', 'installs packages'));
on(['get_ipython().run_line_magic', 'get_ipython().magic'], (context) => {
  const args = positional(context.input.args).map((a) => literalIn(context.source, a.valueStart, a.end));
  if (args.some((a) => a === undefined)) return [{ category: 'runsDynamicCode', reason: `runs a computed IPython command (${context.input.name})` }];
  // run_line_magic('pip', 'install x') and the older magic('pip install x') both mean `%pip install x`.
  return context.nested.magic(`%${args.join(' ')}`);
});
on(['get_ipython().run_cell_magic'], (context) => {
  const [name, line, body] = positional(context.input.args).map((a) => literalIn(context.source, a.valueStart, a.end));
  if (name === undefined || line === undefined || body === undefined) return [{ category: 'runsDynamicCode', reason: `runs a computed IPython command (${context.input.name})` }];
  return context.nested.cellMagic(`%%${name} ${line}`, body);
});
on(['get_ipython().run_cell', 'get_ipython().ex', 'get_ipython().ev'], runsCode);

on(['socket.socket', 'socket.create_connection', 'socket.create_server'], flag('networkWrite', 'opens network connections'));
on(HTTP_CLIENTS.flatMap((client) => variants(`${client}.`, ['post', 'put', 'patch', 'delete'])), flag('networkWrite', 'sends data over the network'));
on(
  [
    ...HTTP_CLIENTS.map((client) => `${client}.request`),
    'urllib3.request',
    'urllib3.PoolManager().request',
    'http.client.HTTPConnection().request',
    'http.client.HTTPSConnection().request',
  ],
  requestWithMethod,
);
on(['urllib.request.urlopen', 'urllib.request.Request'], urllibSends);

on(['os.chmod', 'os.lchmod', 'os.fchmod', 'os.chown', 'os.lchown', 'os.fchown', 'shutil.chown'], flag('changesEnvironment', 'changes file permissions'));
on(['os.kill', 'os.killpg', 'psutil.Process().kill', 'psutil.Process().terminate'], flag('changesEnvironment', 'stops other processes'));
on(variants('winreg.', ['SetValue', 'SetValueEx', 'DeleteKey', 'DeleteKeyEx', 'DeleteValue', 'CreateKey', 'CreateKeyEx']), flag('changesEnvironment', 'changes the Windows registry'));

on(['runpy.run_path', 'runpy.run_module'], flag('runsDynamicCode', 'runs another file'));
on(['exec', 'eval', 'compile', 'builtins.exec', 'builtins.eval', 'builtins.compile'], (context) => (context.input.args ? runsCode(context) : []));

on(['open', 'io.open', 'codecs.open', 'builtins.open'], (context) => opensForWriting(context, context.input.args, 0, 1));
on(variants('shutil.', ['copy', 'copy2', 'copyfile', 'copytree']), (context) => outside(argument(context, context.input.args, 1, 'dst').literal));

/** Whole modules whose every use talks to other machines or below Python. */
const MODULE_RULES: readonly (readonly [string, RiskCategory, string])[] = [
  ['ctypes', 'changesEnvironment', 'calls native code'],
  ['cffi', 'changesEnvironment', 'calls native code'],
  ['smtplib', 'networkWrite', 'connects to a remote server'],
  ['ftplib', 'networkWrite', 'connects to a remote server'],
  ['telnetlib', 'networkWrite', 'connects to a remote server'],
  ['paramiko', 'networkWrite', 'connects to a remote server'],
  ['pysftp', 'networkWrite', 'connects to a remote server'],
];

/** Methods whose name alone says enough, whatever object they are called on. */
const METHOD_RULES: Readonly<Record<string, RiskHit>> = {
  unlink: { category: 'deletesFiles', reason: 'deletes files (.unlink())' },
  rmdir: { category: 'deletesFiles', reason: 'deletes files (.rmdir())' },
  post: { category: 'networkWrite', reason: 'sends data over the network (.post())' },
  chmod: { category: 'changesEnvironment', reason: 'changes file permissions (.chmod())' },
};

/** Methods that write to the path given as their first argument (pandas, matplotlib, numpy). */
const SAVING_METHODS = new Set(['to_csv', 'to_excel', 'to_parquet', 'to_json', 'to_pickle', 'to_feather', 'to_hdf', 'to_html', 'to_stata', 'savefig', 'save', 'savez', 'savez_compressed', 'savetxt']);
/** pathlib methods that write to the receiver's path. */
const PATH_WRITERS = new Set(['write_text', 'write_bytes']);
/** pathlib methods that move the receiver's file away (gone from where it was). */
const PATH_MOVERS = new Set(['rename', 'replace']);

/** The risks of one resolved reference; empty when it is harmless or unknown. */
export function referenceRisks(input: RuleInput, source: MaskedSource, nested: NestedReaders): RiskHit[] {
  const context: RuleContext = { input, source, nested };
  const rule = rules.get(input.name);
  if (rule) return rule(context);
  const module = MODULE_RULES.find(([name]) => input.name.startsWith(`${name}.`));
  if (module) return [{ category: module[1], reason: `${module[2]} (${module[0]})` }];
  if (input.method === undefined || input.args === undefined) return [];
  const byName = METHOD_RULES[input.method];
  if (byName) return [byName];
  if (SAVING_METHODS.has(input.method)) return outside(argument(context, input.args, 0).literal);
  const isPath = /(^|\.)Path\(\)\.\w+$/.test(input.name);
  if (isPath && PATH_WRITERS.has(input.method)) return outside(argument(context, input.receiverArgs, 0).literal);
  if (isPath && PATH_MOVERS.has(input.method)) return [{ category: 'deletesFiles', reason: `moves files (.${input.method}())` }];
  if (isPath && input.method === 'open') {
    const mode = argument(context, input.args, 0, 'mode');
    return mode.literal !== undefined && /[wax+]/.test(mode.literal) ? outside(argument(context, input.receiverArgs, 0).literal) : [];
  }
  return [];
}
