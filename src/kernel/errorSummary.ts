/**
 * What a Jupyter user looks at first in a traceback: the exception line (`KeyError: 'revenue'`)
 * and the line of their own cell that raised it. IPython prints the frames oldest first, so
 * both sit at the end, past library frames: a preview of the first lines never shows them.
 */
import type { ErrorOutput } from './kernelOutputs';
import { stripAnsi } from './observation';

export interface ErrorSummary {
  /** e.g. "KeyError: 'revenue'". */
  readonly exception: string;
  /** e.g. "Cell In[3], line 2: total = sales['revenue'].sum()"; absent when no frame is the user's cell. */
  readonly userFrame?: string;
}

/** Frame headers of code typed into a cell (IPython 8, IPython 7, older), not of a library file. */
const CELL_FRAME = /^(Cell In\s*\[\d*\](?:, line \d+)?|Input In \[\d*\](?:, in <cell line: \d+>\(\))?|<ipython-input-[^>]+>[^\n]*)/;

export function summarizeError(error: ErrorOutput): ErrorSummary {
  const evalue = error.evalue.trim();
  const exception = evalue ? `${error.ename}: ${firstLine(evalue)}` : error.ename;
  // IPython sends one traceback item per frame (its header, the numbered lines, `---->`).
  const frames = error.traceback.map(stripAnsi);
  let userFrame: string | undefined;
  for (const frame of frames) {
    const header = CELL_FRAME.exec(frame.trimStart());
    if (!header) continue;
    const raising = frame.split('\n').find((line) => /^\s*-+>\s*\d+/.test(line));
    const code = raising?.replace(/^\s*-+>\s*\d+\s?/, '').trim();
    userFrame = firstLine(code ? `${header[1]}: ${code}` : header[1]);
  }
  return { exception, ...(userFrame ? { userFrame } : {}) };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
