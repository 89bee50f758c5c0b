/**
 * Markdown to safe DOM. Model text is untrusted: marked turns it into HTML, raw HTML in it is
 * shown as text (except a few attribute-free formatting tags), and DOMPurify then keeps only an
 * allowlist of tags and attributes. No `style` attribute survives (the CSP would block it), links
 * get rel="noopener noreferrer", and images survive only as data: URLs of raster formats.
 */
import DOMPurify from 'dompurify';
import { Marked, type Links, type Token, type TokensList } from 'marked';
import { decorateCodeBlocks } from './codeBlock';

/** Raw HTML tokens made only of these tags, without attributes, are kept as HTML. */
const SAFE_TAG = /^<\/?(?:br|kbd|sub|sup|b|i|em|strong|s|del|ins|u|mark|small|details|summary|code|p|hr)\s*\/?>$/i;
const ANY_TAG = /<[^>]*>/g;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

function rawHtml(text: string): string {
  const tags = text.match(ANY_TAG) ?? [];
  const onlySafeTags = tags.length > 0 && tags.every((tag) => SAFE_TAG.test(tag)) && !/<!--/.test(text);
  return onlySafeTags ? text : escapeHtml(text);
}

const marked = new Marked(
  { gfm: true, breaks: false, async: false },
  {
    renderer: {
      html: ({ text }) => rawHtml(text),
      // Task list boxes as glyphs: an <input> would be interactive and is not allowed.
      checkbox: ({ checked }) => (checked ? '☑ ' : '☐ '),
    },
  },
);

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'code', 'dd', 'del', 'details', 'dl', 'dt', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i',
  'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 's', 'small', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot',
  'th', 'thead', 'tr', 'u', 'ul',
];
const ALLOWED_ATTR = ['href', 'title', 'alt', 'src', 'class', 'align', 'start', 'colspan', 'rowspan'];
const SAFE_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$/i;
const SAFE_LINK = /^(?:https?:|mailto:)/i;

// Runs on DOMPurify's inert copy, before its nodes enter this document: an <img> with a remote
// src would start loading (and trip the CSP) the moment it is imported.
DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
  if (node.nodeName === 'IMG' && data.attrName === 'src' && !SAFE_IMAGE.test(data.attrValue)) data.keepAttr = false;
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (!(node instanceof Element)) return;
  const className = node.getAttribute('class');
  if (className !== null && !(node.tagName === 'CODE' && /^language-[\w#+.-]+$/.test(className))) node.removeAttribute('class');
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (SAFE_LINK.test(href)) {
      node.setAttribute('rel', 'noopener noreferrer');
      if (!node.getAttribute('title')) node.setAttribute('title', href);
    } else {
      node.removeAttribute('href');
    }
  }
});

/** Replaces images that are not inline raster data (a remote one would be blocked by the CSP). */
function replaceUnsafeImages(fragment: DocumentFragment): void {
  for (const image of Array.from(fragment.querySelectorAll('img'))) {
    if (SAFE_IMAGE.test(image.getAttribute('src') ?? '')) continue;
    const alt = image.getAttribute('alt');
    image.replaceWith(document.createTextNode(alt ? `[image: ${alt}]` : '[image]'));
  }
}

DOMPurify.setConfig({
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  FORBID_ATTR: ['style', 'id', 'name'],
  RETURN_DOM_FRAGMENT: true,
});

/** Sanitizes with the config set once above (parsing a config per call is a measurable cost). */
function sanitizeToFragment(html: string): DocumentFragment {
  const result: unknown = DOMPurify.sanitize(html);
  if (!(result instanceof DocumentFragment)) throw new Error('DOMPurify must be configured to return fragments');
  return result;
}

/**
 * Splits markdown into top-level block tokens (with their `raw` source text). `links` are
 * reference definitions ([id]: url) found earlier in the text, so a later `[text][id]` resolves.
 */
export function lexMarkdown(text: string, links: Readonly<Links> = {}): TokensList {
  const lexer = new marked.Lexer(marked.defaults);
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(text);
}

/**
 * Renders block tokens to a sanitized fragment with decorated code blocks. Each token is
 * sanitized on its own so rendering a run of tokens in one go or one by one gives the same DOM.
 */
export function renderTokens(tokens: readonly Token[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const token of tokens) {
    if (token.type === 'space') continue;
    const html = marked.parser([token]);
    fragment.append(sanitizeToFragment(html));
  }
  replaceUnsafeImages(fragment);
  decorateCodeBlocks(fragment);
  return fragment;
}
