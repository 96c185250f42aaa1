// Browses a built site from file:// in headless Chromium the way a reader of an
// offline copy would: home -> a project -> a pipeline -> a Copr build -> the Copr
// build's "pipeline" link back to that pipeline. Runs twice, with JavaScript
// disabled and enabled.
//
// usage: node file-nav.mjs SITE_DIR
//
// Fails on: a missing link or heading, a page whose path does not match its
// pattern, a console error or uncaught page error, a request to anything but a
// file:// URL, a local file that fails to load, and (on every page visited) an
// internal link that is root-relative, points at a folder instead of its
// index.html, or names a file that does not exist.
// Exit: 0 pass, 1 fail, 2 setup error (no Chromium, no playwright-core, no site).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM, launch, playwrightChromium } from './chromium.mjs';

// How many candidates to try at each level while looking for a pipeline that has a
// Copr build (not every project or pipeline has one).
const MAX_TRIES = 25;

const PATTERNS = {
  home: /^index\.html$/,
  project: /^projects\/[^/]+\/.+\/[^/]+\/index\.html$/,
  pipeline: /^pipeline\/(\d+)\/index\.html$/,
  copr: /^jobs\/copr\/(\d+)\/index\.html$/,
};

function setupError(msg) {
  console.error(`file-nav: setup error: ${msg}`);
  process.exit(2);
}

const siteArg = process.argv[2];
if (!siteArg || process.argv.length > 3 || siteArg.startsWith('-')) {
  console.error('usage: node file-nav.mjs SITE_DIR');
  process.exit(2);
}
const siteDir = fs.realpathSync(path.resolve(siteArg));
const homeFile = path.join(siteDir, 'index.html');
if (!fs.existsSync(homeFile)) setupError(`no index.html in ${siteDir}`);
const chromium = await playwrightChromium(setupError);

const siteUrl = pathToFileURL(siteDir + path.sep).href;

// Path of a file:// URL relative to the site root, or null when outside it.
function relPath(url) {
  const u = new URL(url);
  if (u.protocol !== 'file:') return null;
  const rel = path.relative(siteDir, fileURLToPath(u));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

class NavFailure extends Error {}

async function run(javaScriptEnabled) {
  const label = javaScriptEnabled ? 'js on ' : 'js off';
  const problems = [];
  const problem = (msg) => { if (!problems.includes(msg)) problems.push(msg); };
  const log = (msg) => console.log(`  [${label}] ${msg}`);
  const { context, userDataDir } = await launch(chromium, 'file-nav', { javaScriptEnabled }, setupError);
  // Nothing may leave the machine: abort and report every non-file request.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    const scheme = url.slice(0, url.indexOf(':') + 1);
    if (scheme === 'file:' || scheme === 'data:' || scheme === 'blob:' || scheme === 'about:') {
      return route.continue();
    }
    problem(`request to a non-file URL: ${url}`);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error') problem(`console error on ${relPath(page.url()) ?? page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problem(`uncaught error on ${relPath(page.url()) ?? page.url()}: ${err.message}`));
  page.on('requestfailed', (req) => {
    const url = req.url();
    if (url.startsWith('file:')) problem(`failed to load ${relPath(url) ?? url}: ${req.failure()?.errorText}`);
  });

  // Checks the current page: its path matches `kind`, it has a non-empty <h1>, and
  // its internal links are relative and point at existing files.
  const checked = new Set();
  async function checkPage(kind) {
    const rel = relPath(page.url());
    if (rel === null || !PATTERNS[kind].test(rel)) {
      throw new NavFailure(`expected a ${kind} page, got ${page.url()}`);
    }
    const h1 = (await page.locator('h1').allTextContents()).map((t) => t.trim()).filter(Boolean);
    if (h1.length === 0) throw new NavFailure(`${rel}: no <h1> heading`);
    log(`${kind.padEnd(8)} ${rel}  h1: ${JSON.stringify(h1[0])}`);
    if (checked.has(rel)) return rel;
    checked.add(rel);
    const hrefs = await page.locator('a[href], link[href]').evaluateAll(
      (els) => els.map((e) => [e.getAttribute('href'), e.href]),
    );
    for (const [raw, resolved] of hrefs) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('#')) continue; // external or same page
      if (raw.startsWith('/')) { problem(`${rel}: root-relative link ${raw} (breaks on file://)`); continue; }
      const u = new URL(resolved);
      const target = fileURLToPath(new URL(u.pathname, u));
      if (u.pathname.endsWith('/')) problem(`${rel}: link ${raw} points at a folder, not its index.html`);
      else if (!fs.existsSync(target)) problem(`${rel}: link ${raw} names a missing file`);
    }
    return rel;
  }

  // Visible links on the current page whose target path matches `kind`, in page
  // order, one per target; `text` narrows to links whose text matches.
  async function linksTo(kind, text = null) {
    const all = await page.locator('a[href]').evaluateAll((els) => els.map((e, i) => ({
      i, href: e.href, text: (e.textContent || '').trim(),
      visible: e.getClientRects().length > 0,
    })));
    const seen = new Set();
    const out = [];
    for (const l of all) {
      const u = new URL(l.href);
      u.hash = '';
      const rel = relPath(u.href);
      if (!l.visible || rel === null || !PATTERNS[kind].test(rel) || seen.has(rel)) continue;
      if (text && !text.test(l.text)) continue;
      seen.add(rel);
      out.push({ ...l, rel, target: u.href });
    }
    return out;
  }

  async function follow(link, kind) {
    await page.locator('a[href]').nth(link.i).click();
    await page.waitForURL(link.target, { waitUntil: 'load' });
    return checkPage(kind);
  }

  async function back(kind) {
    await page.goBack({ waitUntil: 'load' });
    return checkPage(kind);
  }

  let pagesVisited = 0;
  let ok = false;
  try {
    await page.goto(pathToFileURL(homeFile).href, { waitUntil: 'load' });
    await checkPage('home');
    pagesVisited++;
    const projects = await linksTo('project');
    if (projects.length === 0) throw new NavFailure('home page: no link to a project page');
    search: for (const project of projects.slice(0, MAX_TRIES)) {
      await follow(project, 'project');
      pagesVisited++;
      const pipelines = await linksTo('pipeline');
      for (const pipeline of pipelines.slice(0, MAX_TRIES)) {
        const pipelineRel = await follow(pipeline, 'pipeline');
        pagesVisited++;
        const coprs = await linksTo('copr');
        if (coprs.length > 0) {
          await follow(coprs[0], 'copr');
          pagesVisited++;
          const up = (await linksTo('pipeline', /pipeline/i)).filter((l) => l.rel === pipelineRel);
          if (up.length === 0) {
            throw new NavFailure(`${coprs[0].rel}: no "pipeline" link back to ${pipelineRel}`);
          }
          await follow(up[0], 'pipeline');
          pagesVisited++;
          ok = true;
          break search;
        }
        await back('project');
      }
      if (pipelines.length === 0) log(`${project.rel}: no pipeline links, trying the next project`);
      await back('home');
    }
    if (!ok) throw new NavFailure('no pipeline with a Copr build is reachable from the home page');
  } catch (e) {
    if (e instanceof NavFailure) problem(e.message);
    else problem(`browser error: ${String(e.message || e).split('\n')[0]}`);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  return { label, problems, pagesVisited };
}

const t0 = Date.now();
console.log(`file-nav: browsing ${siteUrl}index.html in ${CHROMIUM}`);
const results = [];
for (const js of [false, true]) results.push(await run(js));
const failed = results.filter((r) => r.problems.length > 0);
for (const r of failed) {
  console.log(`\nfile-nav: problems with JavaScript ${r.label.trim() === 'js on' ? 'enabled' : 'disabled'}:`);
  for (const p of r.problems) console.log(`  - ${p}`);
}
const secs = ((Date.now() - t0) / 1000).toFixed(1);
const pages = results.reduce((n, r) => n + r.pagesVisited, 0);
if (failed.length) {
  console.log(`\nfile-nav: FAIL (${failed.length} of 2 runs failed, ${pages} pages visited, ${secs} s)`);
  process.exit(1);
}
console.log(`file-nav: PASS (2 runs: JavaScript disabled and enabled, ${pages} pages visited, ${secs} s)`);
