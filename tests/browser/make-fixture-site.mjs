// Writes a small hand-made site that follows packit-pages' URL scheme, so the test
// harness (scripts/test, file-nav.mjs, the site checkers) can be proved before, and
// independently of, the real generator. It is NOT the product's output.
//
// usage: node make-fixture-site.mjs OUT_DIR [--fault NAME]
//
// Layout (every internal link relative and ending in index.html):
//   index.html                                  -> the project
//   projects/github.com/packit/ogr/index.html   -> pipelines 101 (no Copr build) and 102
//   pipeline/101/index.html, pipeline/102/index.html -> Copr build 5001 (from 102)
//   jobs/copr/5001/index.html                   -> back to its pipeline 102
//   style.css
//
// --fault NAME breaks the site in one way file-nav.mjs must catch:
//   missing-pipeline-link  the Copr build page has no link back to its pipeline
//   offhost                the home page loads an image from another host
//   console-error          the pipeline page logs a console error (JavaScript run only)
//   folder-link            the home page links to the project folder, not its index.html
//   missing-file           every page links a stylesheet that does not exist
//   no-heading             the project page has no <h1>
import fs from 'node:fs';
import path from 'node:path';

const FAULTS = [
  'missing-pipeline-link', 'offhost', 'console-error', 'folder-link', 'missing-file', 'no-heading',
];

function usage(code) {
  (code ? console.error : console.log)(
    `usage: node make-fixture-site.mjs OUT_DIR [--fault ${FAULTS.join('|')}]`,
  );
  process.exit(code);
}

const args = process.argv.slice(2);
let out = null;
let fault = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--fault') fault = args[++i];
  else if (args[i] === '-h' || args[i] === '--help') usage(0);
  else if (args[i].startsWith('-')) usage(2);
  else if (out === null) out = args[i];
  else usage(2);
}
if (!out) usage(2);
if (fault !== null && !FAULTS.includes(fault)) {
  console.error(`unknown fault: ${fault}`);
  usage(2);
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => (
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// One page: `rel` is its path from the site root; `body` is trusted HTML built below.
function page(rel, title, body, { heading = true, head = '' } = {}) {
  const up = '../'.repeat(rel.split('/').length - 1);
  const missingCss = fault === 'missing-file' ? `<link rel="stylesheet" href="${up}missing.css">` : '';
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · packit-pages fixture</title>
<link rel="stylesheet" href="${up}style.css">${missingCss}${head}
</head>
<body>
<header><nav aria-label="Site"><a href="${up}index.html">Home</a></nav></header>
<main>
${heading ? `<h1>${esc(title)}</h1>` : `<p>${esc(title)}</p>`}
${body}
</main>
<footer><p>Hand-made test fixture.</p></footer>
</body>
</html>
`;
  const file = path.join(out, ...rel.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, html);
}

fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'style.css'),
  'body{font-family:sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}\n'
  + 'a{color:#0b57d0}\n');

const project = 'projects/github.com/packit/ogr/index.html';
const projectHref = fault === 'folder-link' ? 'projects/github.com/packit/ogr/' : project;
const offhost = fault === 'offhost'
  ? '<p><img src="https://example.invalid/logo.png" alt="Logo" width="16" height="16"></p>' : '';
page('index.html', 'Packit results',
  `${offhost}<h2>Projects</h2>
<ul><li><a href="${projectHref}">github.com/packit/ogr</a></li></ul>`);

page(project, 'packit/ogr',
  `<h2>Pipelines</h2>
<ul>
<li><a href="../../../../pipeline/101/index.html">Pipeline 101</a> (tests only)</li>
<li><a href="../../../../pipeline/102/index.html">Pipeline 102</a></li>
</ul>`, { heading: fault !== 'no-heading' });

const toProject = '<p>Project: <a href="../../projects/github.com/packit/ogr/index.html">packit/ogr</a></p>';
page('pipeline/101/index.html', 'Pipeline 101', `${toProject}<p>No Copr builds.</p>`);
page('pipeline/102/index.html', 'Pipeline 102',
  `${toProject}<h2>Copr builds</h2>
<ul><li><a href="../../jobs/copr/5001/index.html">Copr build 5001</a></li></ul>`,
  { head: fault === 'console-error' ? '\n<script>console.error("fixture fault");</script>' : '' });

page('jobs/copr/5001/index.html', 'Copr build 5001',
  fault === 'missing-pipeline-link'
    ? '<p>Status: success</p>'
    : '<p>Status: success</p>\n<p>Part of <a href="../../../pipeline/102/index.html">pipeline 102</a>.</p>');

console.log(`fixture site${fault ? ` (fault: ${fault})` : ''} written to ${out}`);
