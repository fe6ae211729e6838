"""Check the built docs site in a real browser: `python tools/check_docs.py` (after tools/build_docs.py).

Serves `_docs/` with `python -m http.server --bind 127.0.0.1` (stopped at the end) and loads every page
in headless Chromium (Debian's `chromium`, installed with apt-get when /usr/bin/chromium is missing),
driven by playwright-core (npm, pinned below, installed into `.cache/npm/` when missing; it downloads
no browser). For every page it checks:

- it loads (HTTP 200) with no console error, no uncaught exception, no failed or >= 400 request, and
  no request leaving the local server (such requests are blocked and reported: the site must work offline);
- it has the site sidebar listing every page, a title, and (except the last page) a link to the next;
- every `<img>` loaded with a non-zero natural width and has alt text (not a placeholder);
- every link inside the site resolves (HTTP 200), and its `#fragment`, if any, names an element of
  the target page (nbdev's doclinks point at such anchors);
- pages whose notebook has `$` maths in its markdown show typeset maths (`mjx-container`), with no
  MathJax error and no raw `$$` or `$...$` left in the visible text;
- no Quarto markup (`:::` fences, `{target=...}` link attributes) is left in the visible text;
- every notebook in nbs/ has its page;
- search works: on the index page, typing each query in SEARCHES into the search box lists the pages
  expected for it;
- every chapter page with code links its notebook (notebooks/NAME.ipynb, served), and every lesson links at
  least one term to the glossary;
- the search's first result for each query in TOP_HITS is an explanation (a prose section), not an API entry;
- every playground on a page starts; on the playground page, ten "One D step" presses show 10 D steps, the same
  seed draws the same pixels on a second load, 500 iterations of the 2-D game take under 2 s, and the page
  works from file:// too;
- every link in README.md to the site's address (settings.ini `doc_host` + `doc_baseurl`) names a
  page of the built site, and its `#fragment` an element of that page.

Full-page screenshots of the index and of the theory chapter (when it exists; more with `--screens`)
go to `_docs/_screens/`. Prints one line per page and exits non-zero on any failure.
"""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent/'docs'
PLAYWRIGHT_VERSION = '1.65.1'
PLAYWRIGHT_DIR = ROOT/'.cache'/'npm'/f'playwright-core-{PLAYWRIGHT_VERSION}'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
SEARCHES = {'discriminator': ['theory.html', 'intro.html'], 'playground': ['playground.html'], 'heatmap': ['playground.html']}  # query: pages its results must include
TOP_HITS = {  # query: what its first result may be (page, or page#section), an explanation rather than an API entry
    'parzen': ['glossary.html#parzen-window', 'metrics.html#parzen-window', 'paper.html#table-1'], 'FID': ['glossary.html#fid', 'metrics.html#fréchet-distance'],
    'ema': ['glossary.html#ema', 'training.html#gs-weight-average'], 'AnoGAN': ['glossary.html#anogan', 'uses.html#anomaly-detection'],
    'mode collapse': ['glossary.html#mode-collapse', 'intro.html#when-g-drops-modes', 'training.html#training-health'],
    'nash equilibrium': ['glossary.html#nash-equilibrium', 'theory.html'], 'minimax game': ['glossary.html#minimax-game', 'theory.html#the-value-function'],
    'generator collapse': ['glossary.html#mode-collapse'], 'optimal discriminator': ['theory.html#the-optimal-discriminator', 'glossary.html#d-the-optimal'],
    'transposed convolution': ['glossary.html#transposed-convolution', 'conv.html#a-transposed-convolution'], 'heatmap': ['playground.html'],
    'checkerboard': ['conv.html#the-checkerboard-artefact', 'glossary.html#checkerboard'],
    'own images': ['your_images.html', 'data.html#your-own-images'], 'R1 penalty': ['glossary.html#r1-penalty', 'training.html#why-longer-stops-helping-d-memorises-the-training-digits']}
PLAYGROUND_MS = 2000  # the most 500 iterations of the 2-D game may take in the page
PLACEHOLDER_ALT = ('no description has been provided', 'png', 'image', 'figure')

def log(*a): print(*a, flush=True)

def ensure_chromium():
    if Path(CHROMIUM).exists(): return CHROMIUM
    if CHROMIUM != '/usr/bin/chromium': sys.exit(f'CHROMIUM={CHROMIUM} does not exist')
    if not shutil.which('apt-get'): sys.exit('chromium not found: install Chromium and set CHROMIUM=/path/to/chromium')
    log('installing chromium with apt-get ...')
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    sudo = [] if os.geteuid() == 0 else ['sudo', '-n']
    cmd = sudo + ['apt-get', 'install', '-y', '-q', 'chromium']
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:  # stale package lists: update once
        subprocess.run(sudo + ['apt-get', 'update', '-q'], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    if not Path(CHROMIUM).exists(): sys.exit('apt-get installed chromium but /usr/bin/chromium is missing')
    return CHROMIUM

def ensure_playwright():
    if (PLAYWRIGHT_DIR/'node_modules'/'playwright-core'/'package.json').exists(): return PLAYWRIGHT_DIR/'node_modules'
    if not shutil.which('npm'): sys.exit('npm not found: install Node.js (node and npm) to run the browser check')
    log(f'installing playwright-core@{PLAYWRIGHT_VERSION} into {PLAYWRIGHT_DIR.relative_to(ROOT)} ...')
    PLAYWRIGHT_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD='1')
    subprocess.run(['npm', 'install', '--prefix', str(PLAYWRIGHT_DIR), '--no-audit', '--no-fund', '--silent',
                    f'playwright-core@{PLAYWRIGHT_VERSION}'], env=env, check=True, stdout=subprocess.DEVNULL)
    return PLAYWRIGHT_DIR/'node_modules'

_re_code = re.compile(r'^\s{0,3}(`{3,}|~{3,}).*?^\s{0,3}\1\s*$|`+[^`]*`+', re.MULTILINE | re.DOTALL)
_re_math = re.compile(r'\$\$.+?\$\$|(?<![\\$])\$[^\s$][^$\n]*?(?<![\s\\])\$', re.DOTALL)

def expected_pages():
    "{page: has maths} for every notebook nbdev renders, from nbs/ itself"
    os.chdir(ROOT)
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob, _nbpath2html
    from execnb.nbio import read_nb
    from build_docs import runnable # tools/build_docs.py, next to this script
    cfg = get_config()
    nbs_path = Path(cfg.nbs_path)
    res = {}
    for nb in sorted(nbglob(nbs_path, func=Path, skip_file_re='^[_.]')):
        rel = nb.relative_to(nbs_path)
        md = '\n'.join(c.source for c in read_nb(nb).cells if c.cell_type == 'markdown')
        page = (PurePosixPath(rel.parent.as_posix())/_nbpath2html(Path(rel.name)).name).as_posix()
        res[page] = dict(nb=str(nb.relative_to(ROOT)), maths=bool(_re_math.search(_re_code.sub('', md))), code=runnable(nb, cfg))
    return cfg, res

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
    except Exception as e: return str(e)

def readme_links(cfg, base, ids, status):
    "README.md's links to the site's address, checked against the built site; returns the problems"
    from build_docs import site_url # tools/build_docs.py, next to this script
    site = site_url(cfg) + '/'
    bad = []
    for u in sorted(set(re.findall(r'\]\((' + re.escape(site) + r'[^)\s]*)\)', (ROOT/'README.md').read_text()))):
        doc, frag = urldefrag(u[len(site):])
        page = doc or 'index.html'
        if status(base + page) != 200: bad.append(f'{u}: the site has no page {page}')
        elif frag and frag not in ids.get(page, set()): bad.append(f'{u}: {page} has no #{frag}')
    return bad

def playground_problems(g:dict)->list:
    "What the playground page's own checks found wrong (tools/docs/check_pages.mjs: playground)"
    bad = []
    if 'D steps 10' not in g['counter']: bad.append(f'playground: ten "One D step" presses show "{g["counter"]}"')
    if not g['samePixels']: bad.append('playground: the same seed drew different pixels on a second load')
    if not g['ms'] < PLAYGROUND_MS: bad.append(f'playground: 500 iterations took {g["ms"]:.0f} ms (at most {PLAYGROUND_MS})')
    if not re.search(r'iteration [1-9]', g['played']): bad.append(f'playground: Play for 1.5 s shows "{g["played"]}"')
    f = g['file']
    if not f['mounted'] or 'D steps 10' not in f['counter'] or f['errors']: bad.append(f'playground from file://: {f}')
    log(f'     playground: ten D steps -> "{g["counter"]}"; same pixels on reload: {g["samePixels"]}; 500 iterations in {g["ms"]:.0f} ms; '
        f'after Play: "{g["played"]}"; from file://: {f["mounted"]} started, {len(f["errors"])} errors')
    return bad

def main(screens=()):
    cfg, expected = expected_pages()
    docs = ROOT/cfg.doc_path
    if not (docs/'index.html').exists(): sys.exit(f'{docs.relative_to(ROOT)}/index.html not found: run python tools/build_docs.py first')
    skip = ('_static', '_screens')
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob('*.html') if not p.relative_to(docs).parts[0] in skip)
    shots = docs/'_screens'
    if shots.exists(): shutil.rmtree(shots)
    shots.mkdir()
    want_shots = ['index.html'] + [p for p, e in expected.items() if re.search(r'(^|/)\d*[a-z]?_?theory', Path(e['nb']).stem)] + list(screens)
    screen_map = {p: str(shots/(PurePosixPath(p).stem + '.png')) for p in want_shots if p in pages}
    chromium, pw = ensure_chromium(), ensure_playwright()
    if not shutil.which('node'): sys.exit('node not found: install Node.js to run the browser check')

    port = free_port()
    server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(docs)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f'http://127.0.0.1:{port}/'
    failures, t0 = [], time.perf_counter()
    try:
        for _ in range(100):
            if http_status(base) == 200: break
            time.sleep(.1)
        else: sys.exit('the local http.server did not start')
        with tempfile.TemporaryDirectory() as tmp:
            pages.sort(key=lambda p: p != 'index.html')  # searches run on the first page
            job = dict(playwright=str(pw), chromium=chromium, base=base, pages=pages, screens=screen_map,
                       searches=sorted(set(SEARCHES) | set(TOP_HITS)), out=f'{tmp}/result.json', docs=str(docs.resolve()),
                       playground=[p for p, e in expected.items() if Path(e['nb']).stem.endswith('playground')])
            Path(tmp, 'job.json').write_text(json.dumps(job))
            p = subprocess.run(['node', str(HERE/'check_pages.mjs'), f'{tmp}/job.json'], capture_output=True, text=True, timeout=600)
            if p.returncode != 0 or not Path(job['out']).exists():
                log(p.stdout[-3000:], p.stderr[-3000:]); sys.exit(f'the browser run failed (exit {p.returncode})')
            results = json.loads(Path(job['out']).read_text())
        ids = {name: set(r.get('ids', [])) for name, r in results.items()}
        statuses = {}
        def status(u):
            if u not in statuses: statuses[u] = http_status(u)
            return statuses[u]
        for name in pages:
            r, bad = results[name], []
            if r.get('status') != 200: bad.append(f'HTTP {r.get("status")}')
            bad += [f'console error: {m}' for m in r['console']] + [f'exception: {m}' for m in r['pageErrors']]
            bad += [f'request failed: {m}' for m in r['failed']] + [f'external request: {m}' for m in r['external']]
            if not r.get('title'): bad.append('no page title (h1.title)')
            nav = r.get('navLinks', [])
            if len(nav) != len(pages): bad.append(f'sidebar lists {len(nav)} pages, the site has {len(pages)}')
            order = [urljoin(base + name, h)[len(base):] for h in nav]
            if name not in order: bad.append('the sidebar does not list this page')
            elif name != order[-1] and not r.get('hasNext'): bad.append('no link to the next page')
            imgs = r.get('images', [])
            bad += [f'image not shown: {i["src"][:100]}' for i in imgs if not i['w']]
            bad += [f'image without alt text: {i["src"][-60:]}' for i in imgs
                    if not (i.get('alt') or '').strip() or (i['alt'] or '').strip().lower().startswith(PLACEHOLDER_ALT)]
            links = r.get('links', [])
            for u in sorted(set(links)):
                sp = urlsplit(u)
                if f'{sp.scheme}://{sp.netloc}/' != base: continue
                doc, frag = urldefrag(u)
                frag = unquote(frag) # browsers match the decoded fragment against ids
                st = status(doc)
                if st != 200:
                    rel = u[len(base):]
                    bad.append(f'link to a notebook that has no page: {rel}' if doc.endswith('.ipynb') else f'broken link: {rel} ({st})')
                    continue
                target = urlsplit(doc).path.lstrip('/') or 'index.html'
                if target.endswith('/'): target += 'index.html'
                if frag and target in ids and frag not in ids[target]: bad.append(f'broken anchor: {u[len(base):]}')
            exp = expected.get(name)
            if exp and exp['maths']:
                if not r.get('maths'): bad.append(f'{exp["nb"]} has $ maths but the page shows no typeset maths (mjx-container)')
            if r.get('mathErrors'): bad.append(f'MathJax errors: {r["mathErrors"][:3]}')
            if r.get('rawDisplay'): bad.append('raw $$ in the visible text')
            if r.get('rawInline'): bad.append(f'untypeset maths in the visible text: {r["rawInline"]}')
            if r.get('rawMarkup'): bad.append(f'Quarto markup left in the visible text: {r["rawMarkup"]}')
            if exp and exp['code'] and r.get('nbLink') != f'notebooks/{Path(exp["nb"]).name}': bad.append(f'no link to download its notebook (found {r.get("nbLink")!r})')
            if exp and re.match(r'[01]\d_', Path(exp['nb']).name) and not r.get('glossLinks'): bad.append('a lesson whose terms link to no glossary entry')
            n, mounted = r.get('playgrounds', [0, 0])
            if mounted != n: bad.append(f'{n - mounted} of {n} playgrounds did not start')
            if 'playground' in r: bad += playground_problems(r['playground'])
            shot = f', screenshot {Path(screen_map[name]).relative_to(ROOT)}' if name in screen_map and Path(screen_map[name]).exists() else ''
            summary = f'{len(imgs)} images, {len(set(links))} links, {r.get("maths", 0)} maths{shot}'
            if bad:
                failures.append(name)
                log(f'FAIL {name}: ' + '; '.join(bad[:12]) + (f' ... and {len(bad)-12} more' if len(bad) > 12 else '') + shot)
            else: log(f'ok   {name}: {summary}')
        for page, e in expected.items():
            if page not in pages: failures.append(page); log(f'FAIL {page}: missing (no page for {e["nb"]})')
        found = results.get('index.html', {}).get('search', {})
        for q, want in SEARCHES.items():
            got = [urlsplit(urljoin(base + 'index.html', h)).path.lstrip('/') for h in found.get(q, [])]
            miss = [w for w in want if w not in got]
            if miss: failures.append(f'search {q}'); log(f'FAIL search "{q}": results {sorted(set(got))} lack {miss}')
            else: log(f'ok   search "{q}": {len(got)} results, including {", ".join(want)}')
        for q, want in TOP_HITS.items():
            first = urlsplit(urljoin(base + 'index.html', (found.get(q) or [''])[0])) # the first result's page and section
            got = unquote(first.path.lstrip('/') + (f'#{first.fragment}' if first.fragment else ''))
            if not any(got.startswith(w) for w in want): failures.append(f'top hit {q}'); log(f'FAIL search "{q}": the first result is {got or "nothing"}, not one of {want}')
            else: log(f'ok   search "{q}": first result {got}')
        bad = readme_links(cfg, base, ids, status)
        for b in bad: log(f'FAIL README.md: {b}')
        if bad: failures.append('README.md')
        else: log('ok   README.md: every link to the site resolves')
    finally:
        server.terminate()
        try: server.wait(5)
        except subprocess.TimeoutExpired: server.kill()
    log(f'docs check: {len(pages)} pages, {len(failures)} failed ({time.perf_counter()-t0:.0f} s)')
    return 1 if failures else 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--screens', nargs='*', default=[], help='more pages to screenshot, e.g. data.html')
    sys.exit(main(**vars(ap.parse_args())))
