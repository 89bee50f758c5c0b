import type { ActionPreview } from '../src/shared/protocol';
import { codicon, h } from './dom';

/** Only inline raster images are shown; anything else would be blocked by the CSP anyway. */
const IMAGE_URL = /^data:image\/(?:png|jpe?g|gif|webp);base64,/i;

/**
 * The excerpt of an action's output under its card: text (monospace, errors in the error colour),
 * plot thumbnails that enlarge on click, and a hint when the excerpt was cut.
 */
export function renderActionPreview(preview: ActionPreview, revealCell: (() => void) | undefined): HTMLElement {
  const section = h('section', { className: `action-output${preview.isError ? ' is-error' : ''}`, attrs: { 'aria-label': preview.isError ? 'Error output' : 'Output' } });
  section.append(h('div', { className: 'action-output-label' }, codicon(preview.isError ? 'error' : 'output'), h('span', { text: preview.isError ? 'Error' : 'Output' })));
  if (preview.error) {
    // What a Jupyter user looks for first; the traceback itself is one click away.
    const summary = h('div', { className: 'action-error-summary' }, h('div', { className: 'action-error-exception', text: preview.error.exception }));
    if (preview.error.userFrame) summary.append(h('code', { className: 'action-error-frame', text: preview.error.userFrame }));
    section.append(summary);
    if (preview.text) {
      const details = h('details', { className: 'action-error-traceback' }, h('summary', { text: 'Traceback' }), h('pre', { className: 'action-output-text', text: preview.text }));
      section.append(details);
    }
  } else if (preview.text) {
    section.append(h('pre', { className: 'action-output-text', text: preview.text }));
  }
  const images = preview.images.filter((url) => IMAGE_URL.test(url));
  if (images.length > 0) {
    const strip = h('div', { className: 'action-output-images' });
    images.forEach((url, i) => {
      const image = h('img', { className: 'action-output-image', attrs: { src: url, alt: `Output image ${i + 1}` } });
      const button = h('button', { className: 'action-output-thumb', attrs: { type: 'button', 'aria-label': `Output image ${i + 1}`, 'aria-pressed': 'false', title: 'Click to enlarge' } }, image);
      button.addEventListener('click', () => {
        const enlarged = button.classList.toggle('enlarged');
        button.setAttribute('aria-pressed', String(enlarged));
        button.title = enlarged ? 'Click to shrink' : 'Click to enlarge';
      });
      strip.append(button);
    });
    section.append(strip);
  }
  if (!preview.text && images.length === 0) section.append(h('div', { className: 'action-output-empty', text: 'No output' }));
  if (preview.truncated) {
    const hint = h('div', { className: 'action-output-truncated' }, codicon('info'), h('span', { text: 'Output truncated. The full output is in the notebook cell.' }));
    if (revealCell) {
      const link = h('button', { className: 'link-button', attrs: { type: 'button' }, text: 'Show cell' });
      link.addEventListener('click', revealCell);
      hint.append(link);
    }
    section.append(hint);
  }
  return section;
}
