// The answer comes first, in headless Chromium (file://, no JavaScript needed):
// on failed job pages of every kind the failure box ("What failed") is the first
// section under the title, above the details; on failed pipeline pages the
// "What failed" panel comes before the jobs matrix, and its links lead to a log
// line that exists and is marked as an error. Checks up to 6 failed job pages per
// job list and up to 20 failed pipeline pages (10 of them with archived logs).
//
// usage: node answers.mjs SITE_DIR
// Exit: 0 pass, 1 fail, 2 setup error (no Chromium, no playwright-core, no site, no
// failed job or pipeline page in the site).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, playwrightChromium } from './chromium.mjs';

function setupError(msg) {
  console.error(`answers: setup error: ${msg}`);
  process.exit(2);
}

const siteArg = process.argv[2];
if (!siteArg || process.argv.length > 3 || siteArg.startsWith('-')) {
  console.error('usage: node answers.mjs SITE_DIR');
  process.exit(2);
}
const siteDir = fs.realpathSync(path.resolve(siteArg));
if (!fs.existsSync(path.join(siteDir, 'index.html'))) setupError(`no index.html in ${siteDir}`);

const FAILED = /<p class=big><span class="chip s-(failure|error)/;

// Failed job pages: up to `per` per job list, in name order.
function failedJobs(per) {
  const out = [];
  const jobs = path.join(siteDir, 'jobs');
  for (const list of fs.readdirSync(jobs).sort()) {
    const dir = path.join(jobs, list);
    if (!fs.statSync(dir).isDirectory()) continue;
    let n = 0;
    for (const id of fs.readdirSync(dir).sort()) {
      if (!/^\d+$/.test(id)) continue;
      const page = path.join(dir, id, 'index.html');
      if (!fs.existsSync(page)) continue;
      if (FAILED.test(fs.readFileSync(page, 'utf8'))) {
        out.push(page);
        if (++n >= per) break;
      }
    }
  }
  return out;
}

// Failed pipeline pages (a failed or errored job chip): up to `max` whose panel links
// a log line, and up to `max` others.
function failedPipelines(max) {
  const withLog = [];
  const others = [];
  const dir = path.join(siteDir, 'pipeline');
  for (const id of fs.readdirSync(dir).sort()) {
    if (!/^\d+$/.test(id)) continue;
    const page = path.join(dir, id, 'index.html');
    if (!fs.existsSync(page)) continue;
    const html = fs.readFileSync(page, 'utf8');
    if (!/class="chip s-(failure|error)/.test(html)) continue;
    const into = html.includes('class=errline') ? withLog : others;
    if (into.length < max) into.push(page);
    if (withLog.length >= max && others.length >= max) break;
  }
  return { withLog, all: [...withLog, ...others] };
}

const jobs = failedJobs(6);
const { withLog, all: pipelines } = failedPipelines(10);
if (!jobs.length) setupError('no failed job page in the site (build it with --demo)');
if (!withLog.length) setupError('no failed pipeline page that links a log line (build it with --demo)');

const chromium = await playwrightChromium(setupError);
const { context, userDataDir } = await launch(chromium, 'answers', { javaScriptEnabled: false }, setupError);
const failures = [];
try {
  const page = await context.newPage();
  for (const file of jobs) {
    const rel = path.relative(siteDir, file);
    await page.goto(pathToFileURL(file).href);
    const r = await page.evaluate(() => {
      const main = document.querySelector('main');
      const box = main && main.querySelector('section.failure');
      const details = main && main.querySelector('#h-about');
      const firstSection = main && [...main.querySelectorAll('section')][0];
      if (!box) return { ok: false, why: 'no failure box' };
      if (firstSection !== box) return { ok: false, why: 'the failure box is not the first section' };
      if (details && !(box.compareDocumentPosition(details) & Node.DOCUMENT_POSITION_FOLLOWING)) {
        return { ok: false, why: 'the failure box is not above the details' };
      }
      const rect = box.getBoundingClientRect();
      if (rect.height < 20) return { ok: false, why: 'the failure box is not visible' };
      const links = [...box.querySelectorAll('a')].map((a) => a.href).filter((h) => h.includes('/logs/'));
      return { ok: true, top: Math.round(rect.top), links };
    });
    if (!r.ok) {
      failures.push(`${rel}: ${r.why}`);
      continue;
    }
    console.log(`  ${rel}: failure box at ${r.top}px: ok`);
    for (const href of r.links) {
      const u = new URL(href);
      const target = decodeURIComponent(u.pathname);
      const html = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      if (!html.includes(`id="${u.hash.slice(1)}" class="l e"`)) failures.push(`${rel}: ${href} is not an error line of an existing log`);
    }
  }
  let panels = 0;
  for (const file of pipelines) {
    const rel = path.relative(siteDir, file);
    await page.goto(pathToFileURL(file).href);
    const r = await page.evaluate(() => {
      const panel = document.querySelector('main section.failed-panel');
      if (!panel) return { ok: false, why: 'no "What failed" panel' };
      const later = [...document.querySelectorAll('main section, main table')]
        .filter((e) => e !== panel && !panel.contains(e) && !e.contains(panel));
      if (later.some((e) => !(panel.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING))) {
        return { ok: false, why: 'the panel is not the first section' };
      }
      return { ok: true, links: [...panel.querySelectorAll('a.errline')].map((a) => a.href) };
    });
    if (!r.ok) {
      failures.push(`${rel}: ${r.why}`);
      continue;
    }
    panels++;
    for (const href of r.links) {
      const u = new URL(href);
      const line = u.hash.slice(1);
      const target = decodeURIComponent(u.pathname);
      const html = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      if (!html.includes(`id="${line}" class="l e"`)) failures.push(`${rel}: ${href} is not an error line of an existing log`);
      else console.log(`  ${rel}: ${path.relative(siteDir, target)}#${line}: ok`);
    }
  }
  console.log(`${jobs.length} failed job pages, ${panels} failed pipeline pages checked`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`answers: FAIL\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('answers: PASS');
