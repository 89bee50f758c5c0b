/**
 * The risky-code check: a static reading of the Python an action would run, listing what it
 * may do that a person should see first (delete files, run shell commands, install packages,
 * send data out, write outside the working folder, change the system, run code it builds).
 * The approval policy asks for these even when the user lets code run without asking.
 *
 * It is a guard rail against accidents, not a sandbox: code determined to hide what it does
 * can. It errs towards asking (a flagged harmless line costs one click) but never reads
 * strings or comments as code, so `print("rm -rf")` and `# os.remove(x)` are not risky.
 *
 * What it reads: Python with imports and aliases resolved (`import subprocess as sp`,
 * `from shutil import rmtree as r`, `__import__('os')`, `getattr(os, 'system')`), IPython
 * escapes (`!cmd`, `%pip`, `%%bash`, `%time`, `%%writefile`) and the shell commands inside
 * them or passed to os.system / subprocess as literals. Names imported by earlier actions are
 * not visible, but module names used directly (`os.remove`) are recognised without an import.
 */
import { homeFolderWrites } from './risk/homeFolderWrites';
import { cellMagicRisks, escapeRisks, unknownCommandRisks } from './risk/ipythonMagics';
import { type ResolvedReference, readNames, resolveChain, scanChains, type DynamicLookup } from './risk/pythonNames';
import { type NestedReaders, referenceRisks } from './risk/pythonRules';
import { callArguments, formattedExpressions, maskPython } from './risk/pythonSource';
import type { RiskFinding, RiskHit } from './risk/riskTypes';

export type { RiskCategory, RiskFinding } from './risk/riskTypes';

/** How deep code in strings is followed (exec of a literal that execs a literal…). */
const MAX_NESTING = 3;

/**
 * Lists the risks in a piece of Python (IPython) code, in line order, one finding per reason
 * and line. Empty when nothing risky is found.
 */
export function findRisks(code: string): RiskFinding[] {
  return unique(readCell(code.replace(/\r\n?/g, '\n'), 0));
}

/** The distinct reasons of a list of findings, in order: what the approval card shows. */
export function riskReasons(findings: readonly RiskFinding[]): string[] {
  return [...new Set(findings.map((finding) => finding.reason))];
}

function unique(findings: readonly RiskFinding[]): RiskFinding[] {
  const seen = new Set<string>();
  const kept: RiskFinding[] = [];
  for (const finding of [...findings].sort((a, b) => a.line - b.line)) {
    const key = `${finding.line}\u0000${finding.category}\u0000${finding.reason}`;
    if (!seen.has(key)) {
      seen.add(key);
      kept.push(finding);
    }
  }
  return kept;
}

/** A cell may start with a cell magic (`%%bash`), which decides how the rest is read. */
function readCell(code: string, depth: number): RiskFinding[] {
  const lines = code.split('\n');
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first >= 0 && lines[first]?.trimStart().startsWith('%%')) {
    const header = lines[first]?.trim() ?? '';
    const body = lines.slice(first + 1).join('\n');
    return cellMagicRisks(header, body, (python) => readPython(python, depth)).map((finding) => ({ ...finding, line: finding.line + first }));
  }
  return readPython(code, depth);
}

function readPython(code: string, depth: number): RiskFinding[] {
  const source = maskPython(code);
  const findings: RiskFinding[] = [];
  const atLine =
    (line: number) =>
    (hits: readonly RiskHit[]): void => {
      for (const hit of hits) findings.push({ ...hit, line });
    };
  const nested = nestedReaders(depth);

  for (const escape of source.escapes) {
    const hits = escape.kind === 'unknownCommand' ? unknownCommandRisks(escape.text) : escapeRisks(escape.text, (python) => (depth < MAX_NESTING ? readPython(python, depth + 1) : []));
    atLine(escape.line)(hits);
  }

  findings.push(...homeFolderWrites(source));

  const { table, text } = readNames(source);
  const named = { ...source, text };
  const dynamic: DynamicLookup[] = [];
  for (const chain of scanChains(text)) {
    const references: ResolvedReference[] = resolveChain(chain, named, table, dynamic);
    for (const reference of references) {
      const next = chain.segments[reference.index + 1];
      const previous = chain.segments[reference.index - 1];
      const args = next?.kind === 'call' ? callArguments(text, next.open, next.close) : undefined;
      const receiverArgs = previous?.kind === 'call' ? callArguments(text, previous.open, previous.close) : undefined;
      const current = chain.segments[reference.index];
      const method = reference.index > 0 && current?.kind === 'name' ? current.name : undefined;
      for (const name of reference.names) {
        atLine(source.lineOf(reference.offset))(referenceRisks({ name, args, receiverArgs, method }, named, nested));
      }
    }
  }
  // An f-string's expressions are code; its text is not.
  for (const literal of source.strings) {
    if (!literal.formatted || depth >= MAX_NESTING) continue;
    for (const expression of formattedExpressions(literal.value)) atLine(source.lineOf(literal.start))(readPython(expression, depth + 1));
  }
  for (const lookup of dynamic) findings.push({ category: 'runsDynamicCode', reason: lookup.what, line: source.lineOf(lookup.offset) });
  return findings;
}

/** Code inside strings (exec, run_cell_magic) is read like a cell; its findings take the call's line. */
function nestedReaders(depth: number): NestedReaders {
  const deeper = depth < MAX_NESTING;
  if (!deeper) {
    const tooDeep: RiskHit[] = [{ category: 'runsDynamicCode', reason: 'runs code nested too deep to check' }];
    return { python: () => tooDeep, magic: () => tooDeep, cellMagic: () => tooDeep };
  }
  const strip = (findings: readonly RiskFinding[]): RiskHit[] => findings.map(({ category, reason }) => ({ category, reason }));
  return {
    python: (code) => strip(readCell(code, depth + 1)),
    magic: (line) => escapeRisks(line, (python) => readPython(python, depth + 1)),
    cellMagic: (header, body) => strip(cellMagicRisks(header, body, (python) => readPython(python, depth + 1))),
  };
}
