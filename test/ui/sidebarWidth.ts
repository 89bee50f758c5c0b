// Resizes the workbench's side bar the way a person does: a drag of the sash on its right edge.
import type { FrameLocator, Page } from 'playwright-core';
import { within } from './chatLayout';

/** The side bar's width in CSS pixels. */
export async function sidebarWidth(page: Page): Promise<number> {
  return page.locator('.part.sidebar').evaluate((element) => element.getBoundingClientRect().width);
}

/**
 * Drags the sash between the side bar and the editor until the side bar is `width` pixels wide,
 * then waits until the chat view's document has taken the new width (the webview frame is
 * resized by the workbench after the drag, not during it, and can be a pixel narrower than the
 * side bar after a drag).
 */
export async function setSidebarWidth(page: Page, chat: FrameLocator, width: number): Promise<void> {
  const sidebar = page.locator('.part.sidebar');
  const box = await sidebar.boundingBox();
  if (!box) throw new Error('the side bar is not showing');
  const right = box.x + box.width;
  // The enabled vertical sash whose middle sits on the side bar's right edge.
  const sashX = await page.evaluate((edge) => {
    for (const sash of Array.from(document.querySelectorAll('.monaco-sash.vertical:not(.disabled)'))) {
      const rect = sash.getBoundingClientRect();
      if (Math.abs(rect.left + rect.width / 2 - edge) <= 4) return rect.left + rect.width / 2;
    }
    return undefined;
  }, right);
  if (sashX === undefined) throw new Error(`no sash on the side bar's edge at x=${right}`);
  const y = box.y + box.height / 2;
  await page.mouse.move(sashX, y);
  await page.mouse.down();
  await page.mouse.move(sashX + (width - box.width), y, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction((wanted) => Math.round(document.querySelector('.part.sidebar')?.getBoundingClientRect().width ?? 0) === wanted, width);
  const resized = chat.locator('body').evaluate(
    (_, wanted) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (Math.abs(window.innerWidth - wanted) <= 1) resolve();
          else window.addEventListener('resize', check, { once: true });
        };
        check();
      }),
    width,
  );
  try {
    await within(resized, 10_000, `the chat view taking the side bar's width of ${width} px`);
  } catch (error) {
    const shown = await chat.locator('body').evaluate(() => window.innerWidth);
    throw new Error(`${String(error)} (it is ${shown} px wide)`);
  }
}
