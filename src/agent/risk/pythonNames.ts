/**
 * Which library function a name in Python code refers to: reference chains
 * (`sp.run(...)`, `requests.Session().post`) and the imports and aliases that give them their
 * full names (`import subprocess as sp`, `from shutil import rmtree as r`, `run = sp.run`,
 * `with requests.Session() as s`, `__import__('os')`, `getattr(os, 'system')`).
 *
 * Flow-insensitive on purpose: an alias counts everywhere in the code once it appears
 * anywhere, which can only add findings. Names bound in earlier actions are not visible, but
 * module names used directly (`os.remove` after an earlier `import os`) resolve to themselves.
 */
import { type MaskedSource, callArguments, literalIn, matchingClose } from './pythonSource';

export type Segment =
  | { readonly kind: 'name'; readonly name: string; readonly start: number }
  | { readonly kind: 'call'; readonly open: number; readonly close: number }
  | { readonly kind: 'index'; readonly open: number; readonly close: number };

/** A reference like `a.b(x).c[0]`, as it appears in the masked text. */
export interface Chain {
  readonly segments: readonly Segment[];
  readonly end: number;
}

/** One name-ending prefix of a chain with the full names it may stand for. */
export interface ResolvedReference {
  /** Index of the prefix's last segment in the chain. */
  readonly index: number;
  /** Full names such as `subprocess.run` or `requests.Session().post`. */
  readonly names: readonly string[];
  /** Where the prefix's last segment starts, for its line. */
  readonly offset: number;
}

export interface NameTable {
  readonly aliases: ReadonlyMap<string, readonly string[]>;
  /** Modules imported with `from m import *`: a bare name may be any of theirs. */
  readonly starModules: readonly string[];
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '),
);

const IDENT = /[A-Za-z_]\w*/y;

function identAt(text: string, at: number): string | undefined {
  IDENT.lastIndex = at;
  return IDENT.exec(text)?.[0];
}

/** Skips spaces, tabs and backslash line continuations. */
function skipBlanks(text: string, at: number): number {
  let i = at;
  for (;;) {
    if (text[i] === ' ' || text[i] === '\t') i++;
    else if (text[i] === '\\' && text[i + 1] === '\n') i += 2;
    else return i;
  }
}

/** Parses the chain starting with the identifier at `at`. */
export function chainAt(text: string, at: number): Chain | undefined {
  const head = identAt(text, at);
  if (head === undefined) return undefined;
  const segments: Segment[] = [{ kind: 'name', name: head, start: at }];
  let i = at + head.length;
  let end = i;
  for (;;) {
    const j = skipBlanks(text, i);
    const ch = text[j];
    if (ch === '.') {
      const k = skipBlanks(text, j + 1);
      const name = identAt(text, k);
      if (name === undefined) break;
      segments.push({ kind: 'name', name, start: k });
      i = end = k + name.length;
    } else if (ch === '(' || ch === '[') {
      const close = matchingClose(text, j);
      segments.push({ kind: ch === '(' ? 'call' : 'index', open: j, close });
      i = end = close + 1;
    } else break;
  }
  return { segments, end };
}

function previousNonBlank(text: string, before: number): string | undefined {
  for (let i = before - 1; i >= 0; i--) if (!/\s/.test(text[i] ?? '')) return text[i];
  return undefined;
}

/**
 * Every reference chain in the masked text, including those inside other chains' arguments.
 * Skips keywords, attribute names (they belong to the chain before the dot), the names of
 * `def`/`class`, and assignment or keyword-argument targets (`remove = ...`, `f(remove=1)`).
 */
export function scanChains(text: string): Chain[] {
  const chains: Chain[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!/[A-Za-z_]/.test(text[i] ?? '') || /\w/.test(text[i - 1] ?? '')) continue;
    const head = identAt(text, i) ?? '';
    const skip =
      KEYWORDS.has(head) || previousNonBlank(text, i) === '.' || /\b(def|class)\s+$/.test(text.slice(Math.max(0, i - 10), i));
    if (!skip) {
      const chain = chainAt(text, i);
      const after = chain ? skipBlanks(text, chain.end) : i;
      if (chain && !(text[after] === '=' && text[after + 1] !== '=')) chains.push(chain);
    }
    i += head.length - 1;
  }
  return chains;
}

/** Functions that return a module named by their argument. */
const IMPORTERS = new Set(['__import__', 'builtins.__import__', 'importlib.import_module', 'importlib.__import__']);
const GETATTRS = new Set(['getattr', 'builtins.getattr']);

/** What the resolution found that is itself a risk: code naming what it runs at run time. */
export interface DynamicLookup {
  readonly offset: number;
  readonly what: string;
}

/**
 * The full names of each name-ending prefix of a chain. `__import__('os')` and
 * `importlib.import_module('os')` become `os`; `getattr(x, 'name')` becomes `x.name`; a call
 * adds `()` (so instances are told apart from their classes) and a subscript `[]`.
 */
export function resolveChain(
  chain: Chain,
  source: MaskedSource,
  table: NameTable,
  dynamic: DynamicLookup[] = [],
  depth = 0,
): ResolvedReference[] {
  const [head, ...rest] = chain.segments;
  if (head?.kind !== 'name') return [];
  let names: readonly string[] = namesOf(head.name, table);
  const resolved: ResolvedReference[] = [{ index: 0, names, offset: head.start }];
  rest.forEach((segment, k) => {
    const index = k + 1;
    if (segment.kind === 'name') {
      names = names.map((n) => canonical(`${n}.${segment.name}`));
      resolved.push({ index, names, offset: segment.start });
    } else if (segment.kind === 'index') {
      // `sys.modules['os']` is the module `os`, as `__import__('os')` is.
      if (names.includes('sys.modules')) {
        const module = literalIn(source, skipWhitespace(source.text, segment.open + 1), segment.close);
        if (module === undefined) dynamic.push({ offset: segment.open, what: 'reaches a module by a computed name (sys.modules[…])' });
        else {
          names = [module];
          resolved.push({ index, names, offset: segment.open });
          return;
        }
      }
      names = names.map((n) => `${n}[]`);
    } else {
      const args = callArguments(source.text, segment.open, segment.close);
      const first = args[0];
      if (names.some((n) => IMPORTERS.has(n)) && first) {
        const module = literalIn(source, first.valueStart, first.end);
        if (module === undefined) dynamic.push({ offset: segment.open, what: 'imports a module by a computed name (__import__)' });
        else {
          // `__import__('os.path')` returns `os`; `import_module('os.path')` returns `os.path`.
          names = [names.some((n) => n.endsWith('__import__')) ? (module.split('.')[0] ?? module) : module];
          resolved.push({ index, names, offset: segment.open });
          return;
        }
      } else if (names.some((n) => GETATTRS.has(n)) && first && args[1] && depth < 3) {
        const target = chainAt(source.text, skipWhitespace(source.text, first.valueStart));
        const attribute = literalIn(source, args[1].valueStart, args[1].end);
        const bases = target ? (resolveChain(target, source, table, dynamic, depth + 1).at(-1)?.names ?? []) : [];
        if (attribute === undefined) {
          if (bases.some((b) => SENSITIVE_MODULES.has(b))) dynamic.push({ offset: segment.open, what: `looks up a function by a computed name (getattr(${bases[0] ?? ''}, …))` });
        } else if (bases.length > 0) {
          names = bases.map((b) => `${b}.${attribute}`);
          resolved.push({ index, names, offset: segment.open });
          return;
        }
      }
      names = names.map((n) => `${n}()`);
    }
  });
  return resolved;
}

/** Modules whose functions looked up by a computed name deserve a look. */
const SENSITIVE_MODULES = new Set(['os', 'subprocess', 'shutil', 'pty', 'socket', 'ctypes', 'builtins', 'importlib']);

function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (/\s/.test(text[i] ?? '')) i++;
  return i;
}

/** Names that reach the same function as a name the rules know, under another import path. */
const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  'IPython.get_ipython': 'get_ipython',
  'IPython.core.getipython.get_ipython': 'get_ipython',
};

function namesOf(name: string, table: NameTable): readonly string[] {
  const aliased = table.aliases.get(name);
  const names = aliased ?? (table.starModules.length === 0 ? [name] : [name, ...table.starModules.map((m) => `${m}.${name}`)]);
  return names.map(canonical);
}

/** `IPython.get_ipython` is `get_ipython`, however it was reached (`import IPython`, aliases). */
function canonical(name: string): string {
  return CANONICAL_NAMES[name] ?? name;
}

function addAlias(aliases: Map<string, string[]>, name: string, targets: readonly string[]): void {
  const list = aliases.get(name) ?? [];
  for (const target of targets) if (target !== name && !list.includes(target)) list.push(target);
  if (list.length > 0) aliases.set(name, list);
}

const IMPORT_STATEMENT = /(?:^|:)\s*(?:from\s+([\w.]+)\s+import\s+([\s\S]*)|import\s+([\s\S]*))$/;

/**
 * Reads imports and simple aliases, and returns the masked text with import statements
 * blanked (so `from os import remove` itself is not a use of `os.remove`).
 */
export function readNames(source: MaskedSource): { table: NameTable; text: string } {
  const aliases = new Map<string, string[]>();
  const starModules: string[] = [];
  const chars = source.text.split('');
  for (const statement of source.statements) {
    const text = source.text.slice(statement.start, statement.end);
    const match = IMPORT_STATEMENT.exec(text);
    if (!match) continue;
    const [, fromModule, fromNames, plainNames] = match;
    const items = (fromNames ?? plainNames ?? '').replace(/[()\\\n]/g, ' ').split(',');
    for (const item of items) {
      const parts = /^\s*([\w.]+|\*)(?:\s+as\s+(\w+))?\s*$/.exec(item);
      if (!parts?.[1]) continue;
      const [, name, alias] = parts;
      if (fromModule === undefined) {
        if (alias !== undefined) addAlias(aliases, alias, [name]);
      } else if (name === '*') starModules.push(fromModule);
      else addAlias(aliases, alias ?? name, [`${fromModule}.${name}`]);
    }
    for (let k = statement.start + match.index; k < statement.end; k++) if (chars[k] !== '\n') chars[k] = ' ';
  }
  const text = chars.join('');
  const table: NameTable = { aliases, starModules };
  const blanked: MaskedSource = { ...source, text };
  for (const statement of source.statements) readAssignmentAliases(blanked, statement.start, statement.end, table, aliases);
  return { table, text };
}

/** `name = a.b.c` and `with a.b() as name` make `name` another name for what is on the right. */
function readAssignmentAliases(source: MaskedSource, start: number, end: number, table: NameTable, aliases: Map<string, string[]>): void {
  const text = source.text.slice(start, end);
  const fullNames = (at: number, until: number | undefined): readonly string[] | undefined => {
    const chain = chainAt(source.text, at);
    if (!chain || (until !== undefined && chain.end !== until)) return undefined;
    return resolveChainWithCalls(chain, source, table);
  };
  const assignment = /^\s*([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(text);
  if (assignment?.[1] !== undefined) {
    const names = fullNames(start + assignment[0].length, start + text.trimEnd().length);
    if (names) addAlias(aliases, assignment[1], names);
    return;
  }
  const withStatement = /^\s*(?:async\s+)?with\s+/.exec(text);
  if (!withStatement) return;
  let at = start + withStatement[0].length;
  while (at < end) {
    const chain = chainAt(source.text, skipWhitespace(source.text, at));
    if (!chain) return;
    const as = /^\s*as\s+([A-Za-z_]\w*)\s*,?\s*/.exec(source.text.slice(chain.end, end));
    if (!as?.[1]) return;
    const names = fullNames(skipWhitespace(source.text, at), undefined);
    if (names) addAlias(aliases, as[1], names);
    at = chain.end + as[0].length;
  }
}

/** Full names of a whole chain that ends in a call or subscript (`requests.Session()`). */
function resolveChainWithCalls(chain: Chain, source: MaskedSource, table: NameTable): readonly string[] {
  const last = resolveChain(chain, source, table).at(-1);
  if (!last) return [];
  let names = last.names;
  for (const segment of chain.segments.slice(last.index + 1)) names = names.map((n) => `${n}${segment.kind === 'index' ? '[]' : '()'}`);
  return names;
}
