// What a person sees of the chat view's layout, measured inside its frame: whether the page
// itself moved (it must never scroll, only the transcript does), whether the header kept one row,
// and whether the message box stayed at the bottom. Plus the scrolls a person makes, each
// awaited on the transcript's own `scrollend` event.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** Rejects with `what` when `promise` has not settled within `ms`: a guard, not a wait. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where the chat's document is: the view's frame in the workbench, or a fixture page. */
export interface ChatScope {
  locator(selector: string): Locator;
}

export interface ChatLayout {
  /** The page's own scroll position and sizes (document.scrollingElement). */
  readonly documentScrollTop: number;
  readonly documentScrollHeight: number;
  readonly documentClientHeight: number;
  readonly windowScrollY: number;
  readonly viewportHeight: number;
  /** Each header button's top and height, and the height of one header item. */
  readonly headerItems: readonly { readonly label: string; readonly top: number; readonly height: number }[];
  readonly headerTop: number;
  readonly composerBottom: number;
  readonly composerHeight: number;
  readonly transcriptScrollHeight: number;
  readonly transcriptClientHeight: number;
}

export async function measureLayout(chat: ChatScope): Promise<ChatLayout> {
  return chat.locator('body').evaluate(() => {
    const page = document.scrollingElement ?? document.documentElement;
    const rect = (selector: string): DOMRect => {
      const element = document.querySelector(selector);
      if (!element) throw new Error(`${selector} is missing`);
      return element.getBoundingClientRect();
    };
    const transcript = document.querySelector('.transcript');
    return {
      documentScrollTop: page.scrollTop,
      documentScrollHeight: page.scrollHeight,
      documentClientHeight: page.clientHeight,
      windowScrollY: window.scrollY,
      viewportHeight: window.innerHeight,
      headerItems: Array.from(document.querySelectorAll('.header-item')).map((item) => {
        const box = item.getBoundingClientRect();
        return { label: item.textContent ?? '', top: box.top, height: box.height };
      }),
      headerTop: rect('.chat-header').top,
      composerBottom: rect('.composer').bottom,
      composerHeight: rect('.composer').height,
      transcriptScrollHeight: transcript?.scrollHeight ?? 0,
      transcriptClientHeight: transcript?.clientHeight ?? 0,
    };
  });
}

/**
 * Asserts what a person would notice after a scroll: the page did not move and has nothing to
 * scroll (no second scrollbar, no blank panel), the header sits at the top in one row, and the
 * message box is at the bottom.
 */
export async function expectSteadyLayout(chat: ChatScope, when: string): Promise<ChatLayout> {
  const layout = await measureLayout(chat);
  const at = `${when}: ${JSON.stringify(layout)}`;
  assert.equal(layout.documentScrollTop, 0, `the page itself did not scroll (${at})`);
  assert.equal(layout.windowScrollY, 0, `the window did not scroll (${at})`);
  assert.equal(layout.documentScrollHeight, layout.documentClientHeight, `the page has nothing to scroll (${at})`);
  assert.equal(layout.headerTop, 0, `the header is at the top (${at})`);
  assert.equal(layout.headerItems.length, 3, `notebook, kernel and model are in the header (${at})`);
  const [first] = layout.headerItems;
  for (const item of layout.headerItems) {
    assert.equal(item.top, first?.top, `the header items share one row (${at})`);
    assert.equal(item.height, first?.height, `each header item is one line tall (${at})`);
  }
  assert.ok(Math.abs(layout.composerBottom - layout.viewportHeight) <= 0.5, `the message box is at the bottom (${at})`);
  assert.ok(layout.composerHeight > 0, `the message box shows (${at})`);
  return layout;
}

/** The number of lines the text of `element` is laid out on (1: it did not wrap). */
export async function lineCount(element: Locator): Promise<number> {
  return element.evaluate((node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    // One rectangle per fragment of an inline box; fragments on one line share their top.
    return new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top))).size;
  });
}

/** Counts the transcript's finished scrolls (its `scrollend` events) in a data attribute. */
async function scrollEnds(transcript: Locator): Promise<number> {
  return transcript.evaluate((element: HTMLElement) => {
    if (element.dataset['testScrollEnds'] === undefined) {
      element.dataset['testScrollEnds'] = '0';
      element.addEventListener('scrollend', () => {
        element.dataset['testScrollEnds'] = String(Number(element.dataset['testScrollEnds']) + 1);
      });
    }
    return Number(element.dataset['testScrollEnds']);
  });
}

/**
 * Does `act` (a wheel turn, a key press) and waits until the transcript's scroll it causes has
 * ended. `act` must move the transcript; a scroll that moves nothing fires no event.
 */
export async function afterTranscriptScroll(chat: FrameLocator, what: string, act: () => Promise<void>): Promise<void> {
  const transcript = chat.locator('.transcript');
  const before = await scrollEnds(transcript);
  await act();
  await within(
    transcript.evaluate(
      (element: HTMLElement, count) =>
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (Number(element.dataset['testScrollEnds']) > count) resolve();
            else element.addEventListener('scrollend', check, { once: true });
          };
          check();
        }),
      before,
    ),
    10_000,
    `the transcript's scroll after ${what}`,
  );
}

/** Where the transcript is scrolled to, and how far it can go. */
export async function transcriptPosition(chat: FrameLocator): Promise<{ top: number; max: number }> {
  return chat.locator('.transcript').evaluate((element) => ({ top: element.scrollTop, max: element.scrollHeight - element.clientHeight }));
}

/** Puts the pointer over the middle of the transcript, where a wheel turn goes. */
export async function pointAtTranscript(page: Page, chat: FrameLocator): Promise<void> {
  const box = await chat.locator('.transcript').boundingBox();
  if (!box) throw new Error('the transcript is not showing');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}
