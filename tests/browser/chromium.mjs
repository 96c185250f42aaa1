// The system Chromium as the browser tests launch it: one set of flags, a fresh
// profile per run (removed by the caller when done, here when the launch fails).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// playwright-core's `chromium`, after checking the system Chromium is there; calls
// `fail` with what to install when either is missing (it must not return).
export async function playwrightChromium(fail) {
  if (!fs.existsSync(CHROMIUM)) fail(`${CHROMIUM} not found (install the Debian package chromium; scripts/install-test-deps does)`);
  try {
    return (await import('playwright-core')).chromium;
  } catch (e) {
    return fail(`playwright-core is not installed (run npm ci in tests/browser; scripts/install-test-deps does): ${e.message}`);
  }
}

// Launches playwright-core's `chromium` with a fresh profile named after `tag`, at
// 1280x800 unless `options` say otherwise. Returns { context, userDataDir }; when the
// browser does not start, calls `fail` with why (it must not return).
export async function launch(chromium, tag, options, fail) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `packit-pages-${tag}-`));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      ...options,
    });
    return { context, userDataDir };
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    return fail(`cannot launch ${CHROMIUM}: ${String(e.message).split('\n')[0]}`);
  }
}
