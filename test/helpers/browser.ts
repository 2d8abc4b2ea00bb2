import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT = `${CHROMIUM} is missing: install Debian's package with \`apt-get install -y chromium\` (npm test does it when run as root)`;

/** Debian's headless Chromium through playwright-core. Fails, never skips: a skipped browser test proves nothing. */
export async function launchChromium(): Promise<Browser & AsyncDisposable> {
  if (!existsSync(CHROMIUM)) throw new Error(INSTALL_HINT);
  // As root (CI, these machines) Chromium refuses to start with its sandbox on.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}
