// The list filter in headless Chromium, from file://, on a built site.
//
// usage: node filter.mjs SITE_DIR
//
// Without JavaScript: the Copr list shows every row across its numbered pages
// (sum of rows = the stated total), and so do the per-status pages.
// With JavaScript: the Copr list is filtered by status and by project across all
// pages (the match counts equal the no-JavaScript ground truth: the per-status
// pages, and the API mirror's Copr list items of the project), sorted (oldest
// first, by project, by PR number), and a reload of the URL shows the same view. The
// pipelines list filtered by a project has as many rows as the project's history
// pages; the projects list sorts A–Z ignoring case, as its static pages do; the
// projects list and the home page search find a project by part of its name and
// by a pasted repository URL.
// Fails on console errors, page errors and any request that is not file://.
// Exit: 0 pass, 1 fail, 2 setup error.
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
  console.error(`filter: setup error: ${msg}`);
  process.exit(2);
}

const siteArg = process.argv[2];
if (!siteArg || process.argv.length > 3 || siteArg.startsWith('-')) {
  console.error('usage: node filter.mjs SITE_DIR');
  process.exit(2);
}
const siteDir = fs.realpathSync(path.resolve(siteArg));
const listFile = path.join(siteDir, 'jobs/copr/index.html');
if (!fs.existsSync(listFile)) setupError(`no jobs/copr/index.html in ${siteDir}`);
if (!fs.existsSync(CHROMIUM)) setupError(`${CHROMIUM} not found (install the Debian package chromium; scripts/install-test-deps does)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  setupError(`playwright-core is not installed (run npm ci in tests/browser): ${e.message}`);
}
const url = (rel) => pathToFileURL(path.join(siteDir, rel)).href;

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}

// Ground truth from the API mirror: Copr list items per project key.
function coprItemsPerProject() {
  const dir = path.join(siteDir, 'api/list/copr-builds');
  const counts = new Map();
  for (const f of fs.readdirSync(dir)) {
    const v = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const u = (v.project_url || '').replace(/^https?:\/\//, '').replace(/\.git$/, '').replace(/\/+$/, '');
    if (u.split('/').length < 3) continue;
    counts.set(u, (counts.get(u) || 0) + 1);
  }
  return counts;
}

async function launch(javaScriptEnabled, problems) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'packit-pages-filter-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, javaScriptEnabled,
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    setupError(`cannot launch ${CHROMIUM}: ${String(e.message).split('\n')[0]}`);
  }
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (/^(file|data|blob|about):/.test(u)) return route.continue();
    problems.push(`request to a non-file URL: ${u}`);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

// The "of N" total stated in a list page's lead paragraph.
async function statedTotal(page) {
  const lead = await page.locator('p.lead').first().textContent();
  const m = /of ([\d,]+)\./.exec(lead);
  check(m, `no total in ${JSON.stringify(lead)}`);
  return Number(m[1].replace(/,/g, ''));
}

// Rows across every numbered page of a static list (JavaScript off).
async function rowsAcrossPages(page, rel) {
  await page.goto(url(rel), { waitUntil: 'load' });
  const total = await statedTotal(page);
  const pages = await page.locator('nav.pager ul a, nav.pager ul span[aria-current]').allTextContents();
  const numbers = pages.map((t) => t.trim()).filter((t) => /^\d+$/.test(t)).map(Number);
  const base = rel.replace(/index\.html$/, '');
  let sum = 0;
  const n = numbers.length ? Math.max(...numbers) : 0;
  if (n === 0) {
    sum = await page.locator('#lf-static table.list tbody tr').count();
  }
  for (let i = 1; i <= n; i++) {
    await page.goto(url(`${base}page/${i}/index.html`), { waitUntil: 'load' });
    sum += await page.locator('#lf-static table.list tbody tr').count();
  }
  return { total, sum, pages: n };
}

async function withoutJs() {
  const problems = [];
  const b = await launch(false, problems);
  const truth = {};
  try {
    const all = await rowsAcrossPages(b.page, 'jobs/copr/index.html');
    console.log(`  [js off] Copr list: ${all.sum} rows on ${all.pages} pages, stated total ${all.total}`);
    check(all.pages > 1, 'the Copr list should span several pages');
    check(all.sum === all.total, `rows across pages ${all.sum} != total ${all.total}`);
    check(await b.page.locator('#lf').isHidden(), 'the filter form shows without JavaScript');
    for (const status of ['failure', 'success']) {
      const s = await rowsAcrossPages(b.page, `jobs/copr/status/${status}/index.html`);
      console.log(`  [js off] Copr ${status}: ${s.sum} rows on ${s.pages} pages, stated total ${s.total}`);
      check(s.sum === s.total, `${status}: rows across pages ${s.sum} != total ${s.total}`);
      truth[status] = s.total;
    }
    truth.all = all.total;
    check(problems.length === 0, problems.join('\n'));
  } finally {
    await b.close();
  }
  return truth;
}

async function ready(page) {
  await page.waitForFunction(() => {
    const b = document.getElementById('lf');
    return b && b.getAttribute('data-state') === 'ready';
  });
  return page.evaluate(() => ({
    matches: Number(document.getElementById('lf').getAttribute('data-matches')),
    hash: location.hash,
    rows: [...document.querySelectorAll('#lf-out tbody tr')].map((r) => ({
      id: r.getAttribute('data-id'), project: r.getAttribute('data-project'),
      t: Number(r.getAttribute('data-t')), pr: r.getAttribute('data-pr'),
    })),
    pos: document.querySelector('#lf-out .lf-pos')?.textContent || '',
    staticHidden: document.getElementById('lf-static').hidden,
  }));
}

// Waits until the filter reflects `expectHash` (the debounce has run).
async function settle(page, expectHash) {
  await page.waitForFunction((h) => location.hash === h, expectHash);
  return ready(page);
}

async function withJs(truth, perProject) {
  const problems = [];
  const b = await launch(true, problems);
  const page = b.page;
  try {
    await page.goto(url('jobs/copr/index.html'), { waitUntil: 'load' });
    await page.locator('#lf-status').waitFor({ state: 'visible' });

    // status, across pages
    await page.selectOption('#lf-status', 'failure');
    let v = await settle(page, '#status=failure');
    console.log(`  [js on ] status=failure: ${v.matches} matches (${v.pos})`);
    check(v.matches === truth.failure, `failure matches ${v.matches} != ${truth.failure} rows of the static failure pages`);
    check(v.staticHidden, 'the static list stays visible under the filter');
    check(v.rows.length === Math.min(50, truth.failure), `first page shows ${v.rows.length} rows`);
    if (truth.failure > 50) {
      await page.locator('#lf-out button.lf-next').click();
      v = await settle(page, '#status=failure&p=2');
      check(v.rows.length === Math.min(50, truth.failure - 50), `page 2 shows ${v.rows.length} rows`);
    }

    // project, across pages (ground truth: the API mirror's list items)
    const [key, count] = [...perProject.entries()].sort((a, b) => b[1] - a[1])[0];
    await page.locator('button.lf-clear').click();
    await page.waitForFunction(() => location.hash === '');
    await page.fill('#lf-project', key);
    v = await settle(page, `#project=${encodeURIComponent(key)}`);
    console.log(`  [js on ] project=${key}: ${v.matches} matches, the API mirror has ${count}`);
    check(v.matches === count, `project matches ${v.matches} != ${count}`);
    check(v.rows.every((r) => r.project === key), 'a row of another project');

    // sorted oldest first, then by project
    await page.selectOption('#lf-sort', 'oldest');
    v = await settle(page, `#project=${encodeURIComponent(key)}&sort=oldest`);
    for (let i = 1; i < v.rows.length; i++) check(v.rows[i - 1].t <= v.rows[i].t, 'oldest-first order broken');
    await page.fill('#lf-project', '');
    await page.selectOption('#lf-status', 'success');
    await page.selectOption('#lf-sort', 'project');
    v = await settle(page, '#status=success&sort=project');
    check(v.matches === truth.success, `success matches ${v.matches} != ${truth.success}`);
    const lower = (p) => (p || '').toLowerCase();
    for (let i = 1; i < v.rows.length; i++) check(lower(v.rows[i - 1].project) <= lower(v.rows[i].project), 'project order broken (A–Z ignores case)');
    await page.selectOption('#lf-sort', 'pr');
    v = await settle(page, '#status=success&sort=pr');
    const prs = v.rows.map((r) => (r.pr === '' ? -1 : Number(r.pr)));
    for (let i = 1; i < prs.length; i++) check(prs[i - 1] >= prs[i], 'PR order broken');

    // the URL carries the view: reload and get the same rows
    const before = v;
    await page.reload({ waitUntil: 'load' });
    v = await ready(page);
    check(v.hash === before.hash, `hash ${v.hash} != ${before.hash}`);
    check(JSON.stringify(v.rows) === JSON.stringify(before.rows), 'reload shows other rows');
    check(await page.inputValue('#lf-status') === 'success', 'status field not restored');
    check(await page.inputValue('#lf-sort') === 'pr', 'sort field not restored');
    console.log(`  [js on ] reload of ${v.hash}: same ${v.rows.length} rows`);

    // a shared link opened fresh
    await page.goto(url('jobs/copr/index.html') + '#status=failure&sort=oldest', { waitUntil: 'load' });
    v = await ready(page);
    check(v.matches === truth.failure, 'shared link: other matches');

    // the pipelines list by project: as many as the project's history pages say
    await page.goto(url(`projects/${key}/history/index.html`), { waitUntil: 'load' });
    const lead = await page.locator('p.lead').first().textContent();
    const history = Number(/^([\d,]+) pipeline/.exec(lead.trim())[1].replace(/,/g, ''));
    await page.goto(url('pipeline/index.html') + `#project=${encodeURIComponent(key)}`, { waitUntil: 'load' });
    v = await ready(page);
    check(v.matches === history, `pipelines of ${key}: ${v.matches} != ${history} of its history pages`);
    check(v.rows.every((r) => r.project === key), 'a pipeline of another project');
    console.log(`  [js on ] pipelines of ${key}: ${v.matches}, as its history pages say`);

    // the projects list A–Z ignores case, in the same order as its static pages
    await page.goto(url('projects/index.html') + '#q=.', { waitUntil: 'load' });
    v = await ready(page);
    const keys = v.rows.map((r) => r.id);
    for (let i = 1; i < keys.length; i++) {
      check(lower(keys[i - 1]) <= lower(keys[i]), `projects A–Z: ${keys[i - 1]} before ${keys[i]}`);
    }
    const staticKeys = await page.locator('#lf-static tbody tr td:first-child a:not(.ext)').evaluateAll(
      (as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname).replace(/^.*\/projects\//, '').replace(/\/index\.html$/, '')));
    check(JSON.stringify(keys.slice(0, staticKeys.length)) === JSON.stringify(staticKeys),
      `projects A–Z: the filter's order differs from the static page's (${keys.slice(0, 3)} / ${staticKeys.slice(0, 3)})`);
    check(keys.some((k) => k !== k.toLowerCase()), 'projects A–Z: no mixed-case project to sort');
    console.log(`  [js on ] projects A–Z ignoring case: ${keys.length} rows, as the static page`);

    // the projects list: part of a name, and a pasted URL
    const repoName = key.split('/').pop();
    await page.goto(url('projects/index.html') + `#q=${encodeURIComponent(repoName)}`, { waitUntil: 'load' });
    v = await ready(page);
    check(v.rows.some((r) => r.id === key), `projects list: ${key} not found by "${repoName}"`);
    await page.fill('#lf-q', `https://${key}.git`);
    v = await settle(page, `#q=${encodeURIComponent(`https://${key}.git`)}`);
    check(v.matches === 1 && v.rows[0].id === key, `projects list: the URL of ${key} finds ${v.matches} projects`);

    // home page: project search by part of a name and by a pasted URL
    await page.goto(url('index.html'), { waitUntil: 'load' });
    const repo = key.split('/').pop();
    await page.fill('#q', repo.slice(0, Math.max(3, repo.length - 1)));
    await page.locator('#q-suggest a').first().waitFor();
    const hrefs = await page.locator('#q-suggest a').evaluateAll((as) => as.map((a) => a.textContent));
    check(hrefs.includes(key), `search: ${key} not suggested (${hrefs.join(', ')})`);
    await page.fill('#q', `https://${key}/pull/1`);
    await page.press('#q', 'Enter');
    await page.waitForURL(/\/projects\/.*\/index\.html$/);
    const h1 = (await page.locator('h1').textContent()).trim();
    check(key.endsWith(h1), `pasted URL led to ${h1}`);
    console.log(`  [js on ] home search: "${repo}" suggests ${key}; a pasted PR URL opens its project page`);

    check(problems.length === 0, problems.join('\n'));
  } finally {
    await b.close();
  }
}

try {
  const truth = await withoutJs();
  const perProject = coprItemsPerProject();
  await withJs(truth, perProject);
  console.log('filter: ok');
} catch (e) {
  if (e instanceof Failure) {
    console.error(`filter: FAILED: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
