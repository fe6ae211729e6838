// Load every page of the docs site in headless Chromium and report what a reader would meet.
// Run by tools/check_docs.py: node check_pages.mjs JOB.json, where JOB.json is
// {playwright: DIR, chromium: PATH, base: URL, pages: [...], screens: {page: png}, out: RESULT.json}.
// For each page: HTTP status, console errors, uncaught exceptions, failed or >=400 requests, requests
// leaving the local server (blocked), images (naturalWidth, alt), links, element ids, typeset maths,
// and on the first page the results of each search in job.searches.
import { createRequire } from 'module';
import { readFileSync, writeFileSync } from 'fs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(job.playwright + '/');
const { chromium } = require('playwright-core');
const base = new URL(job.base);

const browser = await chromium.launch({
  executablePath: job.chromium,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
// nothing may be fetched from outside the site
await context.route('**/*', route => {
  const u = new URL(route.request().url());
  if (u.protocol === 'data:' || u.protocol === 'file:' || u.host === base.host) return route.continue();
  return route.abort('blockedbyclient');
});

// The playground page (gan_tutorial/playground/ui.js): its buttons work, a seed replays the same pixels on a second load,
// 500 iterations of the 2-D game run in under 2 s, and the page works from file:// too.
async function playground(page, name) {
  const res = {};
  const tenDSteps = async p => {
    const first = p.locator('.gan-playground.gp').first();
    for (let i = 0; i < 10; i++) await first.locator('.gp-dstep').click();
    return [await first.locator('.gp-counter').textContent(), await first.locator('canvas.gp-main').evaluate(c => c.toDataURL())];
  };
  const [counter, pixels] = await tenDSteps(page);
  res.counter = counter.trim();
  await page.reload({ waitUntil: 'load' });
  res.samePixels = (await tenDSteps(page))[1] === pixels;
  res.ms = await page.evaluate(() => { const g = new GanPlayground.Game({ preset: 'ring' }), t = performance.now(); g.train(500); return performance.now() - t; });
  const first = page.locator('.gan-playground.gp').first();
  await first.locator('.gp-play').click(); await page.waitForTimeout(1500); await first.locator('.gp-play').click();
  res.played = (await first.locator('.gp-counter').textContent()).trim();
  const f = await page.context().newPage(), errors = [];
  f.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  f.on('pageerror', e => errors.push(String(e)));
  await f.goto('file://' + job.docs + '/' + name, { waitUntil: 'load' });
  res.file = { mounted: await f.locator('.gan-playground.gp').count(), counter: (await tenDSteps(f))[0].trim(), errors };
  await f.close();
  return res;
}

const results = {};
for (const name of job.pages) {
  const r = { console: [], pageErrors: [], failed: [], external: [] };
  const page = await context.newPage();
  page.on('console', m => { if (m.type() === 'error') r.console.push(m.text()); });
  page.on('pageerror', e => r.pageErrors.push(String(e)));
  page.on('request', q => { const u = new URL(q.url()); if (u.protocol !== 'data:' && u.host !== base.host) r.external.push(q.url()); });
  page.on('requestfailed', q => r.failed.push(`${q.url()} (${q.failure()?.errorText})`));
  page.on('response', s => { if (s.status() >= 400) r.failed.push(`${s.url()} (HTTP ${s.status()})`); });
  try {
    const resp = await page.goto(new URL(name, base).href, { waitUntil: 'load', timeout: 30000 });
    r.status = resp ? resp.status() : 0;
    // MathJax typesets after load: wait for it when the page uses it
    await page.waitForFunction(() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise),
                               null, { timeout: 15000 }).catch(() => r.pageErrors.push('MathJax did not start'));
    await page.evaluate(() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise);
    await page.evaluate(() => Promise.all([...document.images].map(i => i.complete ? 0 : new Promise(f => { i.onload = i.onerror = f; }))));
    Object.assign(r, await page.evaluate(() => {
      const skip = new Set(['PRE', 'CODE', 'SCRIPT', 'STYLE', 'TEXTAREA', 'MJX-CONTAINER', 'MJX-ASSISTIVE-MML']);
      const texts = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
        acceptNode: n => { for (let e = n.parentElement; e; e = e.parentElement) if (skip.has(e.tagName)) return NodeFilter.FILTER_REJECT;
                           return NodeFilter.FILTER_ACCEPT; } });
      while (walk.nextNode()) texts.push(walk.currentNode.nodeValue);
      const prose = texts.join(' ');
      return {
        title: document.querySelector('h1.title')?.textContent.trim() || '',
        navLinks: [...document.querySelectorAll('.site-nav a')].map(a => a.getAttribute('href')),
        hasNext: !!document.querySelector('.page-nav a.page-next'),
        images: [...document.images].map(i => ({ src: i.currentSrc || i.src, w: i.naturalWidth, complete: i.complete, alt: i.getAttribute('alt') })),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        ids: [...document.querySelectorAll('[id]')].map(e => e.id),
        maths: document.querySelectorAll('mjx-container').length,
        mathErrors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error') || e.textContent),
        rawDisplay: document.body.innerText.includes('$$'),
        rawInline: (prose.match(/(?<![\\$])\$[^\s$](?:[^$\n]{0,80}?[^\s\\$])?\$/g) || []).slice(0, 3),
        playgrounds: [document.querySelectorAll('.gan-playground').length, document.querySelectorAll('.gan-playground.gp').length],
        nbLink: document.querySelector('.nb-link a')?.getAttribute('href') || '',
        glossLinks: document.querySelectorAll('a.gloss').length,
        rawMarkup: (prose.match(/:::\s*\{[^}]*\}|:::\s*callout-\w+|\]\([^)\s]+\)\{[^}]*\}|\{target=/g) || []).slice(0, 3),
      };
    }));
    if (job.screens[name]) await page.screenshot({ path: job.screens[name], fullPage: true });
    // search, typed into the box as a reader would: the pages of the first results
    if (name === job.pages[0]) {
      r.search = {};
      for (const q of job.searches || []) {
        await page.fill('#search-input', q);
        await page.waitForSelector('#search-results:not([hidden])', { timeout: 5000 }).catch(() => {});
        r.search[q] = await page.$$eval('#search-results a', as => as.map(a => a.getAttribute('href')));
      }
    }
    if ((job.playground || []).includes(name)) r.playground = await playground(page, name);
  } catch (e) { r.pageErrors.push(`load: ${e.message.split('\n')[0]}`); }
  results[name] = r;
  await page.close();
}
await browser.close();
writeFileSync(job.out, JSON.stringify(results));
