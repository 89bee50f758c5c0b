import type { TranscriptEntry } from '../src/shared/protocol';
import { assertNever } from '../src/shared/protocol';
import { h } from './dom';

/** Renders one transcript entry. All text goes in as text, never as HTML. */
export function renderEntry(entry: TranscriptEntry): HTMLElement {
  switch (entry.kind) {
    case 'user':
      return h('div', { className: 'entry entry-user', attrs: { 'data-entry-id': entry.id } }, h('div', { className: 'entry-body', text: entry.text }));
    case 'assistant':
      return h('div', { className: 'entry entry-assistant', attrs: { 'data-entry-id': entry.id } }, h('div', { className: 'entry-body', text: entry.text }));
    case 'notice':
      return h('div', { className: `entry entry-notice notice-${entry.level}`, attrs: { 'data-entry-id': entry.id, role: entry.level === 'error' ? 'alert' : 'status' } }, h('div', { className: 'entry-body', text: entry.text }));
    case 'action':
      return h('div', { className: `entry entry-action status-${entry.status}`, attrs: { 'data-entry-id': entry.id } }, h('pre', { className: 'action-code', text: entry.code }));
    default:
      return assertNever(entry);
  }
}
