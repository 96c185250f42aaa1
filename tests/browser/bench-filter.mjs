// Filter latency in headless Chromium on a built site (see scripts/bench-filter.sh).
//
// usage: node bench-filter.mjs SITE_DIR
//
// For the pipelines, Copr and Testing Farm lists: the cold time (from the first
// filter to results on screen, loading and decoding every index shard) and the
// warm latency of typical filters (status, project, free text, target, sorts):
// filter + sort + render of the first result page + URL update, as measured in the
// page, and the filter + sort part of it alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const site = fs.realpathSync(process.argv[2] || '');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'packit-pages-bench-'));
const context = await chromium.launchPersistentContext(dataDir, {
  executablePath: CHROMIUM, headless: true, args: ARGS,
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(120000);

const lists = [['pipelines', 'pipeline/index.html'], ['copr', 'jobs/copr/index.html'],
  ['testing-farm', 'jobs/testing-farm/index.html']];
for (const [name, rel] of lists) {
  await page.goto(pathToFileURL(path.join(site, rel)).href, { waitUntil: 'load' });
  const r = await page.evaluate(async () => {
    const box = document.getElementById('lf');
    const t0 = performance.now();
    box.ppShow({ status: 'failure' });
    while (box.getAttribute('data-state') !== 'ready') await new Promise((ok) => setTimeout(ok, 5));
    const cold = performance.now() - t0;
    const items = (document.querySelector('#lf .lf-msg').textContent.match(/ of ([\d,]+)/) || [0, '?'])[1];
    const rows = document.querySelectorAll('#lf-out tbody tr');
    const project = rows.length ? rows[0].getAttribute('data-project') : '';
    const filters = [
      { status: 'success' }, { status: 'failure', sort: 'oldest' }, { project },
      { project, sort: 'pr' }, { q: 'fedora' }, { target: 'rawhide' }, { q: '12' },
      { status: 'error', trigger: '1' }, { sort: 'project' }, {},
    ];
    const times = [];
    const filtering = [];
    for (let round = 0; round < 3; round++) {
      for (const st of filters) {
        const a = performance.now();
        box.ppShow(st);
        times.push(performance.now() - a);
        if (Object.keys(st).length) filtering.push(Number(box.getAttribute('data-ms-filter')));
      }
    }
    times.sort((a, b) => a - b);
    filtering.sort((a, b) => a - b);
    return {
      cold, median: times[Math.floor(times.length / 2)], max: times[times.length - 1],
      fmedian: filtering[Math.floor(filtering.length / 2)],
      items,
    };
  });
  console.log(`filter ${name.padEnd(13)} items=${r.items.padStart(9)}  cold load+filter ${r.cold.toFixed(0).padStart(6)} ms  latency median ${r.median.toFixed(1).padStart(6)} ms (filter+sort ${r.fmedian.toFixed(1)} ms, rest: render, URL)  max ${r.max.toFixed(1).padStart(6)} ms`);
}
await context.close();
fs.rmSync(dataDir, { recursive: true, force: true });
