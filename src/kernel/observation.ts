/**
 * Turns a finished execution into the observation the model reads: plain text in the order
 * things happened, images as attachments, and a line saying how it ended when that was not
 * normal. Pure; the full output lives in the notebook cell, this is the model's budgeted view.
 */
import { imageSizeFromBase64 } from './imageSize';
import { mergeStreamChunks, type DataOutput, type ErrorOutput, type ExecutionResult } from './kernelOutputs';

export interface ObservationImage {
  readonly mime: string;
  readonly base64: string;
  readonly width?: number;
  readonly height?: number;
}

export interface Observation {
  readonly text: string;
  readonly images: readonly ObservationImage[];
  /** True when the text was cut to fit `maxChars`. */
  readonly truncated: boolean;
}

export interface ObservationOptions {
  /** Most characters of text; the head and the tail are kept, the middle is cut. */
  readonly maxChars: number;
  /** Most images attached; later ones are only described. Default 4. */
  readonly maxImages?: number;
  /** Where the cut part can be found, said in the cut marker. */
  readonly fullOutputHint?: string;
  /**
   * Why images do not reach the reader, when they don't (a model that does not take images):
   * the text then says plainly that an image was shown and not sent. The images are still
   * returned, for the chat's own preview.
   */
  readonly imagesNotSent?: string;
}

/** Image types models accept as attachments, in order of preference within one output. */
const ATTACHABLE_IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const DEFAULT_MAX_IMAGES = 4;
/**
 * The largest image attached, in bytes and pixels per side: providers refuse bigger ones
 * (OpenAI 20 MB, Anthropic 5 MB and 8000 px), and one refused image stays in the history and
 * fails every later request. A bigger one (a photo shown at full size) is only described.
 */
export const MAX_ATTACHED_IMAGE_BYTES = 4 * 1024 * 1024;
export const MAX_ATTACHED_IMAGE_SIDE = 8000;
const DEFAULT_FULL_OUTPUT_HINT = 'the full output is in the notebook cell';
export const NO_OUTPUT_TEXT = '(no output)';

export function toObservation(result: ExecutionResult, options: ObservationOptions): Observation {
  const maxImages = options.maxImages ?? DEFAULT_MAX_IMAGES;
  const images: ObservationImage[] = [];
  const parts: string[] = [];
  for (const output of mergeStreamChunks(result.outputs)) {
    switch (output.kind) {
      case 'stream':
        parts.push(collapseCarriageReturns(stripAnsi(output.text)));
        break;
      case 'error':
        parts.push(formatError(output));
        break;
      case 'data': {
        const image = attachableImage(output);
        if (!image) {
          parts.push(describeData(output));
        } else if (options.imagesNotSent !== undefined) {
          images.push(image);
          parts.push(`[an image (${image.mime}${sizeSuffix(image)}, a plot or picture the code showed) was made; it is not sent to you: ${options.imagesNotSent}]`);
        } else if (tooLargeToAttach(image)) {
          parts.push(`[${image.mime}${sizeSuffix(image)}, ${formatMegabytes(base64Bytes(image.base64))}, not attached: too large to send to the model]`);
        } else if (images.length < maxImages) {
          images.push(image);
          parts.push(`[${image.mime}${sizeSuffix(image)}]`);
        } else {
          parts.push(`[${image.mime}${sizeSuffix(image)}, not attached: more than ${maxImages} images]`);
        }
        break;
      }
    }
  }
  const body = joinParts(parts);
  const status = statusLine(result);
  const fullBody = body === '' ? NO_OUTPUT_TEXT : body;
  const budget = Math.max(0, options.maxChars - (status ? status.length + 1 : 0));
  const capped = capText(fullBody, budget, options.fullOutputHint ?? DEFAULT_FULL_OUTPUT_HINT);
  const text = status ? `${capped.text}\n${status}` : capped.text;
  return { text: text.slice(0, safeEnd(text, Math.max(options.maxChars, 0))), images, truncated: capped.truncated };
}

/**
 * Where a cut that keeps the text before `end` may fall: never between the two halves of a
 * character outside the BMP (an emoji), which would leave invalid Unicode in the request.
 */
function safeEnd(text: string, end: number): number {
  const before = text.charCodeAt(end - 1);
  return end > 0 && end < text.length && before >= 0xd800 && before <= 0xdbff ? end - 1 : end;
}

/** Where a cut that keeps the text from `start` on may fall (see safeEnd). */
function safeStart(text: string, start: number): number {
  const at = text.charCodeAt(start);
  return start > 0 && at >= 0xdc00 && at <= 0xdfff ? start + 1 : start;
}

/** Removes ANSI colour and cursor escapes (tracebacks and many libraries emit them). */
export function stripAnsi(text: string): string {
  if (!text.includes('\u001b')) return text;
  // CSI sequences, OSC sequences (ended by BEL or ST), then any other two-character escape.
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g, '');
}

/**
 * Keeps what a terminal would finally show for progress bars that redraw a line with `\r`
 * (tqdm, pip): the last non-empty segment of each line.
 */
export function collapseCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line;
      const segments = line.split('\r').filter((segment) => segment !== '');
      return segments[segments.length - 1] ?? '';
    })
    .join('\n');
}

/**
 * Caps `text` to `maxChars`, keeping the head and the tail (errors are usually at the end)
 * and saying in one line what was cut. Cuts fall on line breaks when one is near.
 */
export function capText(text: string, maxChars: number, hint: string = DEFAULT_FULL_OUTPUT_HINT): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  // The marker is sized for the largest numbers it could hold, so the result always fits.
  const widestMarker = cutMarker(text.length, countLines(text), hint);
  const room = maxChars - widestMarker.length;
  if (room <= 0) return { text: widestMarker.slice(0, Math.max(maxChars, 0)), truncated: true };
  let head = text.slice(0, safeEnd(text, Math.ceil(room / 2)));
  let tail = text.slice(safeStart(text, text.length - Math.floor(room / 2)));
  const headBreak = head.lastIndexOf('\n');
  if (headBreak >= head.length * 0.75) head = head.slice(0, headBreak + 1);
  const tailBreak = tail.indexOf('\n');
  if (tailBreak >= 0 && tailBreak <= tail.length * 0.25) tail = tail.slice(tailBreak + 1);
  const cut = text.slice(head.length, text.length - tail.length);
  const marker = cutMarker(cut.length, countLines(cut), hint);
  return { text: head + marker + tail, truncated: true };
}

function cutMarker(chars: number, lines: number, hint: string): string {
  const lineNote = lines > 1 ? ` (${lines.toLocaleString('en-US')} lines)` : '';
  return `\n... [${chars.toLocaleString('en-US')} characters${lineNote} cut; ${hint}] ...\n`;
}

function countLines(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Joins outputs so each starts on its own line (stream chunks carry their own newlines). */
function joinParts(parts: readonly string[]): string {
  let joined = '';
  for (const part of parts) {
    if (part === '') continue;
    if (joined !== '' && !joined.endsWith('\n')) joined += '\n';
    joined += part;
  }
  return joined.replace(/\n+$/, '');
}

function formatError(error: ErrorOutput): string {
  const headline = error.evalue ? `${error.ename}: ${error.evalue}` : error.ename;
  const traceback = stripAnsi(error.traceback.join('\n'))
    .split('\n')
    // IPython frames tracebacks with a row of dashes; it costs tokens and says nothing.
    .filter((line) => !/^-{20,}$/.test(line.trim()))
    .join('\n')
    .trim();
  if (traceback === '') return headline;
  return traceback.includes(error.ename) ? traceback : `${traceback}\n${headline}`;
}

function attachableImage(output: DataOutput): ObservationImage | undefined {
  const mime = ATTACHABLE_IMAGE_MIMES.find((m) => output.data[m] !== undefined);
  const raw = mime === undefined ? undefined : output.data[mime];
  if (mime === undefined || raw === undefined) return undefined;
  const base64 = raw.replace(/\s+/g, '');
  const size = imageSizeFromBase64(mime, base64) ?? sizeFromMetadata(output.metadata[mime]);
  return { mime, base64, ...(size ?? {}) };
}

/** Jupyter's own size hint (`metadata['image/png'] = {width, height}`), used when the header can't be read. */
function sizeFromMetadata(metadata: unknown): { width: number; height: number } | undefined {
  if (typeof metadata !== 'object' || metadata === null || !('width' in metadata) || !('height' in metadata)) return undefined;
  const { width, height } = metadata;
  return typeof width === 'number' && typeof height === 'number' ? { width, height } : undefined;
}

function tooLargeToAttach(image: ObservationImage): boolean {
  return base64Bytes(image.base64) > MAX_ATTACHED_IMAGE_BYTES || (image.width ?? 0) > MAX_ATTACHED_IMAGE_SIDE || (image.height ?? 0) > MAX_ATTACHED_IMAGE_SIDE;
}

/** The decoded size of base64 text (whitespace and padding not counted). */
function base64Bytes(base64: string): number {
  const length = base64.replace(/[\s=]/g, '').length;
  return Math.floor((length * 3) / 4);
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function sizeSuffix(image: ObservationImage): string {
  return image.width !== undefined && image.height !== undefined ? ` ${image.width}x${image.height}` : '';
}

/** The text version of a rich output: its text/plain sibling, else a short description. */
function describeData(output: DataOutput): string {
  const { data } = output;
  const plain = data['text/plain'];
  if (plain !== undefined) return stripAnsi(plain);
  const markdown = data['text/markdown'];
  if (markdown !== undefined) return markdown;
  const json = data['application/json'];
  if (json !== undefined) return json;
  const mimes = Object.keys(data);
  if (mimes.length === 0) return '';
  const size = (data[mimes[0] ?? ''] ?? '').length;
  return `[${mimes.join(', ')} output, ${size.toLocaleString('en-US')} chars]`;
}

function statusLine(result: ExecutionResult): string {
  const restarted = result.kernelRestarted
    ? ' It did not stop, so the kernel was restarted: all variables and imports are lost.'
    : '';
  switch (result.status) {
    case 'ok':
    case 'error':
      return '';
    case 'timeout':
      return `Execution timed out after ${formatSeconds(result.durationMs)}; the kernel was interrupted.${restarted}`;
    case 'interrupted':
      return 'Execution was interrupted.';
    case 'cancelled':
      return `Execution was cancelled before it finished.${restarted}`;
    case 'died':
      return 'The kernel died while running this code (its process exited), so all variables and imports are lost. The kernel must be restarted before more code can run.';
  }
}

/** Rounded down: a 120 s limit that took 120.03 s to interrupt reads "120 s". */
function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${Math.floor(seconds * 10) / 10} s`;
  return `${Math.floor(seconds)} s`;
}
