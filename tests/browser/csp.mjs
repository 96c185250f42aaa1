// Serves a built site over HTTP on 127.0.0.1 with the Content-Security-Policy of
// netlify.toml (the header the site gets when hosted) and opens sample pages in
// headless Chromium with JavaScript on. Fails on any CSP violation: a
// `securitypolicyviolation` event in a page or a console message about a refused
// resource.
//
// usage: node csp.mjs SITE_DIR [--pages N] [--netlify FILE] [--csp POLICY]
//
// The sample: the home page, the section indexes, the usage and content pages, the
// 404 page, one page of each kind (project, pipeline, job detail, list page, log page) and a
// legacy redirect page, topped up to N (default 20) with content pages picked evenly
// over the site.
// Exit: 0 pass, 1 fail, 2 setup error (no Chromium, no playwright-core, no site, no CSP).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, playwrightChromium } from './chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function setupError(msg) {
  console.error(`csp: setup error: ${msg}`);
  process.exit(2);
}

function usage() {
  console.error('usage: node csp.mjs SITE_DIR [--pages N] [--netlify FILE] [--csp POLICY]');
  process.exit(2);
}

const args = process.argv.slice(2);
let siteArg = null;
let want = 20;
let netlifyFile = path.join(HERE, '..', '..', 'netlify.toml');
let cspArg = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--pages') want = Number(args[++i]);
  else if (args[i] === '--netlify') netlifyFile = args[++i];
  else if (args[i] === '--csp') cspArg = args[++i];
  else if (args[i].startsWith('-') || siteArg !== null) usage();
  else siteArg = args[i];
}
if (!siteArg || !(want >= 1)) usage();
const siteDir = fs.realpathSync(path.resolve(siteArg));
if (!fs.existsSync(path.join(siteDir, 'index.html'))) setupError(`no index.html in ${siteDir}`);

// The policy: the Content-Security-Policy value of the `for = "/*"` headers block.
function policyFromNetlify(file) {
  if (!fs.existsSync(file)) setupError(`${file} not found`);
  const text = fs.readFileSync(file, 'utf8');
  const blocks = text.split(/^\[\[headers\]\]\s*$/m).slice(1);
  for (const b of blocks) {
    if (!/^\s*for\s*=\s*"\/\*"\s*$/m.test(b)) continue;
    const m = b.match(/^\s*Content-Security-Policy\s*=\s*"([^"]+)"\s*$/m);
    if (m) return m[1];
  }
  setupError(`${file}: no Content-Security-Policy for "/*"`);
}
const CSP = cspArg ?? policyFromNetlify(netlifyFile);

const chromium = await playwrightChromium(setupError);

// --- the sample -------------------------------------------------------------------
function allPages() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== '.packit-pages') walk(p); }
      else if (e.name.endsWith('.html')) out.push(path.relative(siteDir, p).split(path.sep).join('/'));
    }
  };
  walk(siteDir);
  return out.sort();
}
const isStub = (rel) => fs.readFileSync(path.join(siteDir, rel), 'utf8').includes('http-equiv="refresh"');

function sample() {
  const pages = allPages();
  const chosen = [];
  const add = (rel) => { if (rel && pages.includes(rel) && !chosen.includes(rel)) chosen.push(rel); };
  for (const p of ['index.html', 'jobs/index.html', 'pipeline/index.html', 'projects/index.html',
    'usage/index.html', 'faq/index.html', 'about/index.html', '404.html']) add(p);
  const first = (re, stub = false) => pages.find((p) => re.test(p) && isStub(p) === stub);
  add(first(/^projects\/github\.com\/[^/]+\/[^/]+\/index\.html$/) || first(/^projects\/[^/]+\/.+\/[^/]+\/index\.html$/));
  add(first(/^pipeline\/\d+\/index\.html$/));
  add(first(/^jobs\/copr\/\d+\/index\.html$/));
  add(first(/^jobs\/testing-farm\/\d+\/index\.html$/));
  add(first(/^jobs\/copr\/page\/\d+\/index\.html$/));
  add(first(/^jobs\/[^/]+\/\d+\/index\.html$/, true));
  // an archived log page (log.js, colour classes) and the job page listing it
  const log = first(/^jobs\/[^/]+\/\d+\/logs\/[^/]+\/index\.html$/);
  if (log) { add(log); add(log.replace(/logs\/[^/]+\/index\.html$/, 'index.html')); }
  // top up with content pages (not redirect pages) spread evenly over the site
  const rest = pages.filter((p) => !chosen.includes(p) && !isStub(p));
  const step = Math.max(1, Math.floor(rest.length / Math.max(1, want - chosen.length)));
  for (let i = 0; i < rest.length && chosen.length < want; i += step) add(rest[i]);
  return chosen;
}

// --- the server ---------------------------------------------------------------------
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.xml': 'application/xml', '.txt': 'text/plain', '.json': 'application/json',
};
const served404 = [];
const server = http.createServer((req, res) => {
  let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(siteDir, rel);
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
  if (!file.startsWith(siteDir + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    served404.push(rel);
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

// --- the browser --------------------------------------------------------------------
const problems = [];
const problem = (msg) => { if (!problems.includes(msg)) problems.push(msg); };
const { context, userDataDir } = await launch(chromium, 'csp', { javaScriptEnabled: true }, (msg) => {
  server.close();
  setupError(msg);
});
// nothing may leave the machine
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('about:')) return route.continue();
  problem(`request off the test server: ${url}`);
  return route.abort('blockedbyclient');
});
// Collect violations from the start of every document (CDP-injected, so the page's
// own policy does not apply to this script).
await context.addInitScript(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
      + (e.sourceFile ? ` (${e.sourceFile.split('/').pop()}:${e.lineNumber})` : '')
      + (e.sample ? ` sample: ${e.sample}` : ''));
  });
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(15000);
let current = '';
page.on('console', (msg) => {
  const t = msg.text();
  if (/Content Security Policy|Refused to/i.test(t)) problem(`${current}: console: ${t}`);
  else if (msg.type() === 'error') problem(`${current}: console error: ${t}`);
});
page.on('pageerror', (err) => problem(`${current}: uncaught error: ${err.message}`));

const pages = sample();
console.log(`csp: policy ${CSP}`);
console.log(`csp: ${pages.length} pages from ${base} (${siteDir})`);
const t0 = Date.now();
try {
  for (const rel of pages) {
    current = rel;
    const resp = await page.goto(base + rel, { waitUntil: 'load' });
    if (!resp || resp.status() !== 200) problem(`${rel}: HTTP ${resp ? resp.status() : 'no response'}`);
    // let deferred scripts run and late violations arrive
    await page.waitForTimeout(50);
    const v = await page.evaluate(() => window.__cspViolations || []);
    for (const x of v) problem(`${rel}: CSP violation: ${x}`);
    console.log(`  ${v.length ? 'VIOLATION' : 'ok       '} ${rel}`);
  }
} catch (e) {
  problem(`browser error on ${current}: ${String(e.message || e).split('\n')[0]}`);
} finally {
  await context.close().catch(() => {});
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
for (const rel of served404) problem(`missing file requested: ${rel}`);
const secs = ((Date.now() - t0) / 1000).toFixed(1);
if (problems.length) {
  console.log('\ncsp: problems:');
  for (const p of problems) console.log(`  - ${p}`);
  console.log(`\ncsp: FAIL (${problems.length} problems, ${pages.length} pages, ${secs} s)`);
  process.exit(1);
}
console.log(`csp: PASS (${pages.length} pages, no Content-Security-Policy violation, ${secs} s)`);
