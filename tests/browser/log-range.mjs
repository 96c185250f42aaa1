// Log pages in headless Chromium (file://): a range link (#L3-L5) highlights exactly
// those lines (static/log.js), a single-line link (#L7) highlights its line by CSS
// (:target) and clears the range, and the job page's error summary links to a line
// that exists. Picks the first log page of the site (the demo site has some).
//
// usage: node log-range.mjs SITE_DIR
// Exit: 0 pass, 1 fail, 2 setup error (no Chromium, no playwright-core, no site, no
// log page in the site).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function setupError(msg) {
  console.error(`log-range: setup error: ${msg}`);
  process.exit(2);
}

const siteArg = process.argv[2];
if (!siteArg || process.argv.length > 3 || siteArg.startsWith('-')) {
  console.error('usage: node log-range.mjs SITE_DIR');
  process.exit(2);
}
const siteDir = fs.realpathSync(path.resolve(siteArg));
if (!fs.existsSync(path.join(siteDir, 'index.html'))) setupError(`no index.html in ${siteDir}`);
if (!fs.existsSync(CHROMIUM)) setupError(`${CHROMIUM} not found`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  setupError(`playwright-core is not installed (run npm ci in tests/browser): ${e.message}`);
}

// The first job page (in name order) that has a log page with at least 8 lines, one
// of which looks like an error.
function findLog() {
  const jobs = path.join(siteDir, 'jobs');
  for (const list of fs.readdirSync(jobs).sort()) {
    const listDir = path.join(jobs, list);
    if (!fs.statSync(listDir).isDirectory()) continue;
    for (const id of fs.readdirSync(listDir).sort()) {
      const logs = path.join(listDir, id, 'logs');
      if (!fs.existsSync(logs)) continue;
      for (const name of fs.readdirSync(logs).sort()) {
        const page = path.join(logs, name, 'index.html');
        const html = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : '';
        if ((html.match(/ id="L\d+"/g) || []).length >= 8 && html.includes('class="l e"')) {
          return { job: path.join(listDir, id, 'index.html'), page, name };
        }
      }
    }
  }
  return null;
}

const found = findLog();
if (!found) setupError('no log page with 8 or more lines in the site (build it from an archive with logs, e.g. --demo)');
console.log(`log page: ${path.relative(siteDir, found.page)}`);

const problems = [];
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'packit-pages-log-range-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
});
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  const url = pathToFileURL(found.page).href;

  const state = () => page.evaluate(() => {
    const lines = Array.from(document.querySelectorAll('pre.logl > [id^="L"]'));
    const bg = (el) => getComputedStyle(el).backgroundColor;
    const plain = lines.find((el) => !el.classList.contains('hl') && !el.classList.contains('e') && !el.matches(':target'));
    return {
      count: lines.length,
      anchors: document.querySelectorAll('pre.logl > [id^="L"] > a[href^="#L"]').length,
      hl: lines.filter((el) => el.classList.contains('hl')).map((el) => el.id),
      target: lines.filter((el) => el.matches(':target')).map((el) => el.id),
      hlBg: lines.filter((el) => el.classList.contains('hl') || el.matches(':target')).map(bg),
      plainBg: plain ? bg(plain) : null,
    };
  });

  await page.goto(`${url}#L3-L5`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('.hl').length > 0);
  let s = await state();
  if (s.anchors !== s.count) problems.push(`${s.anchors} line anchors for ${s.count} lines`);
  if (JSON.stringify(s.hl) !== JSON.stringify(['L3', 'L4', 'L5'])) problems.push(`#L3-L5 highlighted ${JSON.stringify(s.hl)}`);
  if (s.hlBg.some((b) => b === s.plainBg)) problems.push(`highlighted lines look like plain ones (${s.hlBg} vs ${s.plainBg})`);
  console.log(`  #L3-L5: highlighted ${s.hl.join(', ')}`);

  // a click on a line number: a single line, the range is cleared
  await page.click('#L7 > a');
  await page.waitForFunction(() => location.hash === '#L7' && document.querySelectorAll('.hl').length === 0);
  s = await state();
  if (JSON.stringify(s.target) !== JSON.stringify(['L7'])) problems.push(`#L7 targets ${JSON.stringify(s.target)}`);
  if (s.hlBg.some((b) => b === s.plainBg)) problems.push('the #L7 line is not highlighted');
  console.log(`  #L7: :target ${s.target.join(', ')}`);

  // a range typed in reverse order
  await page.evaluate(() => { location.hash = '#L6-L2'; });
  await page.waitForFunction(() => document.querySelectorAll('.hl').length === 5);
  s = await state();
  if (JSON.stringify(s.hl) !== JSON.stringify(['L2', 'L3', 'L4', 'L5', 'L6'])) problems.push(`#L6-L2 highlighted ${JSON.stringify(s.hl)}`);

  // the job page's error summary links to lines of the log that exist
  await page.goto(pathToFileURL(found.job).href, { waitUntil: 'load' });
  const links = await page.evaluate((name) => Array.from(document.querySelectorAll('.errlines a'))
    .map((a) => a.getAttribute('href')).filter((h) => h.includes(`logs/${name}/`)), found.name);
  if (!links.length) problems.push('the job page lists no error line of the log');
  else {
    await page.click(`.errlines a[href="${links[0]}"]`);
    await page.waitForLoadState('load');
    const hash = new URL(page.url()).hash;
    const ok = await page.evaluate((h) => !!document.getElementById(h.slice(1)) && document.getElementById(h.slice(1)).matches(':target'), hash);
    if (!ok) problems.push(`error summary link ${links[0]} does not land on its line`);
    console.log(`  job page error link ${links[0]}: ${ok ? 'ok' : 'broken'}`);
  }
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log('log-range: PASS');
