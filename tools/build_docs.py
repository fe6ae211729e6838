"""Build the documentation site into `_docs/` without Quarto: `python tools/build_docs.py`.

On GitHub the site is built by nbdev's own `nbdev_docs` (Quarto, `.github/workflows/deploy.yaml`). Quarto
cannot be installed everywhere, but Pandoc, the engine Quarto runs on, can (the `pypandoc-binary` wheel
ships it; Debian has `pandoc`). So this script does what Quarto does, with the same two engines:

1. **nbdev's notebook processing**, exactly what `nbdev_docs` runs (`nbdev.serve.proc_nbs`): every notebook
   goes through `nbdev.processors.FilterDefaults` into `_proc/` (title cell -> front matter, directives
   stripped, hidden and exported cells removed, `show_doc` cells added and executed, `#| exports` source
   folded, doclinks added). One process per notebook (tools/docs/nbproc.py), so a failing notebook is
   named while the others build. Nothing else is executed: outputs are the ones saved in the notebooks.
2. **Each processed notebook becomes Pandoc markdown**, as Quarto's Jupyter engine writes it: markdown
   cells as they are, code cells as fenced code with their outputs (images as files, with the cell's
   `fig-alt` and `fig-cap`), honouring the cell options `echo`, `output`, `include`, `warning` and `code-fold`.
3. **Pandoc renders each page** (`--mathjax`, `--toc`) into tools/docs/page.html, with the Lua filter
   tools/docs/site.lua for what Quarto adds to Pandoc: callouts, links between notebooks and to the
   site's address made relative, the API list, and each page's sections for the search index.

MathJax 3 and MiniSearch come from npm (`npm pack` into `.cache/npm/` when missing, checked against the
registry's integrity hash) and are served by the site with its search index: pages load nothing from
outside it. An extra page, `reference.html`, gathers the API of every module.

Check the result in a browser with `python tools/check_docs.py`; open `_docs/index.html`, or serve it
with `python -m http.server --directory _docs`.
"""
import argparse, ast, base64, contextlib, copy, hashlib, html, io, json, os, re, shutil, subprocess, sys, tarfile, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent/'docs'
NPM_CACHE = ROOT/'.cache'/'npm'
NPM = {  # name: (version, registry integrity, files wanted from the package, where they go under _static/)
    'mathjax': ('3.2.2', 'sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==',
                ('es5/tex-chtml.js', 'es5/output/chtml/fonts/woff-v2/', 'es5/input/tex/extensions/', 'LICENSE'), 'mathjax'),
    'minisearch': ('7.2.0', 'sha512-dqT2XBYUOZOiC5t2HRnwADjhNS2cecp9u+TJRiJ1Qp/f5qjkeT5APcGPjHw+bz89Ms8Jp+cG4AlE+QZ/QnDglg==',
                   ('dist/umd/index.js', 'LICENSE.txt'), 'minisearch')}
REFERENCE_PAGE = 'reference.html'
GLOSSARY_PAGE = 'glossary.html'
GLOSSARY_TERMS = {  # a word or two as the pages write it (lower case) -> its entry on the glossary page; the first use on a page links there
    'logit': 'logit', 'logits': 'logit', 'fid': 'fid', 'jsd': 'jsd-jensen-shannon-divergence', 'jensen-shannon': 'jsd-jensen-shannon-divergence',
    'kl': 'kl-divergence', 'ema': 'ema-weight-average', 'weight average': 'ema-weight-average', 'auroc': 'auroc', 'ddp': 'ddp',
    'all-reduce': 'all-reduce', 'nats': 'nats', 'docment': 'docment', 'docments': 'docment', 'parzen': 'parzen-window', 'parzen-window': 'parzen-window',
    'anogan': 'anogan', 'minimax': 'minimax-game', 'mode collapse': 'mode-collapse', 'transposed convolution': 'transposed-convolution',
    'transposed convolutions': 'transposed-convolution', 'projection discriminator': 'projection-discriminator', 'mixed precision': 'mixed-precision',
    'nash equilibrium': 'nash-equilibrium', 'label smoothing': 'label-smoothing-one-sided', 'class coverage': 'class-coverage',
    'checkerboard artefact': 'checkerboard-artefact', 'non-saturating': 'non-saturating-loss', 'epoch': 'epoch', 'epochs': 'epoch',
    'r1 penalty': 'r1-penalty'}

def log(*a): print(*a, flush=True)

def site_url(cfg): # e.g. https://gan-tutorial.github.io/gan_tutorial, no trailing slash
    "The address the site is published at: settings.ini's `doc_host` + `doc_baseurl`"
    return (cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/')).rstrip('/')

# 1. nbdev's processing -------------------------------------------------------------------------------
def lint_notebooks(nbs):
    "Cells that nbdev's docs processing would run out of order: imports mixed with other code"
    from execnb.nbio import read_nb
    from nbdev.process import extract_directives
    has = lambda trees, types: any(isinstance(n, types) for t in trees for n in ast.walk(t))
    res = []
    for nb_path in nbs:
        for i, c in enumerate(read_nb(nb_path).cells):
            if c.cell_type != 'code' or not c.source.strip(): continue
            dirs = extract_directives(copy.deepcopy(c), remove=False) if '#|' in c.source else {}
            if set(dirs) & {'export', 'exports', 'exporti', 'exec_doc'} or 'nbdev_export()' in c.source: continue
            if str(dirs.get('eval:', [''])[0]).lower() == 'false': continue
            try: trees = ast.parse('\n'.join(l for l in c.source.splitlines() if not l.lstrip().startswith(('%', '!')))).body
            except SyntaxError: continue
            if has(trees, (ast.Import, ast.ImportFrom)) and has(trees, (ast.Expr, ast.Assign)):
                res.append(f'{nb_path.relative_to(ROOT)} cell {i+1}: mixes an import with other code, so nbdev runs the '
                           f'whole cell while making the docs, without the cells before it; put the import in a cell of its own')
    return res

def process_notebooks(nbs_path, nbs, proc):
    "nbdev's processing of every notebook into `proc`, as `proc_nbs` does; returns {notebook: error}"
    if proc.exists(): shutil.rmtree(proc)
    shutil.copytree(nbs_path, proc, ignore=lambda d, names: [n for n in names if n.endswith('.ipynb') or n[0] in '._'])
    sys.path.insert(0, str(HERE))
    import nbproc  # the worker, importable by name in the worker processes
    errors = {}
    with ProcessPoolExecutor(max(1, min(len(nbs), os.cpu_count() or 1)), mp_context=get_context('spawn')) as ex:
        futs = {nb: ex.submit(nbproc.proc_one, str(nb), str(proc/nb.relative_to(nbs_path))) for nb in nbs}
        for nb, f in futs.items():
            r = f.result()
            if isinstance(r, str): errors[nb] = r; log(f'  FAILED {nb.relative_to(ROOT)}')
            else: log(f'  processed {nb.relative_to(ROOT)} ({r:.1f} s)')
    return errors

# 2. notebook -> Pandoc markdown -----------------------------------------------------------------------
def cell_options(src):
    "The leading `#|` lines of a code cell (Quarto options, YAML values) and the rest of its source"
    import yaml
    lines, opts = src.split('\n'), {}
    while lines and lines[0].lstrip().startswith('#|'):
        o = lines.pop(0).lstrip()[2:].strip()
        k, sep, v = o.partition(':')
        try: opts[k.strip()] = (yaml.safe_load(v) if v.strip() else True) if sep else True
        except yaml.YAMLError: opts[k.strip()] = v.strip()
    return opts, '\n'.join(lines).strip('\n')

def fenced(text, cls):
    "`text` as a fenced code block, with a fence longer than any backtick run inside it"
    fence = '`' * max(3, 1 + max((len(m) for m in re.findall(r'`+', text)), default=0))
    return f'{fence} {{{cls}}}\n{text.rstrip()}\n{fence}'

def raw_html(s): return fenced(s, '=html')

def in_order(v): return iter(v if isinstance(v, list) else [v]) # a cell option given once, or one per figure

def outputs_md(c, opts, files, stem, is_doc):
    "A code cell's outputs as Pandoc markdown; image files are added to `files` {path: bytes}"
    res, alts, caps = [], in_order(opts.get('fig-alt')), in_order(opts.get('fig-cap'))
    for o in c.get('outputs', []):
        if o['output_type'] == 'stream':
            if o.get('name') == 'stderr' and opts.get('warning') is False: continue
            text = re.sub(r'\x1b\[[0-9;]*m', '', ''.join(o['text']))
            res.append(text if opts.get('output') == 'asis' else fenced(text, '.cell-output'))
        elif o['output_type'] == 'error': res.append(fenced(re.sub(r'\x1b\[[0-9;]*m', '', '\n'.join(o['traceback'])), '.cell-output .error'))
        else:
            d = o.get('data', {})
            get = lambda k: ''.join(d[k]) if isinstance(d[k], list) else d[k]
            img = next((k for k in ('image/svg+xml', 'image/png', 'image/jpeg') if k in d), None)
            if 'text/markdown' in d:
                md = get('text/markdown')
                if is_doc: md = re.sub(r'\[(`[^`\n]+`)\]\([^)\s]*\)', r'\1', md).replace('__main__.', '')  # links nbdev put in signatures
                res.append(f'::: {{.show-doc}}\n{md}\n:::' if is_doc else md)
            elif img:
                n = len(files)
                fn = f'{stem}_files/figure-html/cell-output-{n+1}.{img.split("/")[1].split("+")[0]}'
                files[fn] = get(img).encode() if img == 'image/svg+xml' else base64.b64decode(get(img))
                alt, cap = next(alts, None), next(caps, None)
                tag = f'<img src="{fn}" alt="{html.escape(str(alt or cap or ""))}">'
                res.append(raw_html(f'<figure class="cell-figure">{tag}' + (f'<figcaption>{html.escape(str(cap))}</figcaption>' if cap else '') + '</figure>'))
            elif 'text/html' in d:  # matplotlib's to_jshtml animations link Font Awesome from a CDN: site.css draws those icons
                h = re.sub(r'<link[^>]*font-awesome[^>]*>', '', get('text/html'), flags=re.I)
                if re.search(r'<img\b(?![^>]*\balt=)', h):  # an animation's frames: the cell's fig-alt
                    alt = html.escape(str(next(alts, None) or ''))
                    h = re.sub(r'<img\b(?![^>]*\balt=)', lambda m: f'<img alt="{alt}"', h)
                res.append(raw_html(h))
            elif 'text/latex' in d: res.append(get('text/latex'))
            elif 'text/plain' in d: res.append(fenced(get('text/plain'), '.cell-output'))
    return res

def notebook_md(nb, stem):
    "A processed notebook as (front matter, Pandoc markdown, {image path: bytes}, its show_doc markdown)"
    import yaml
    fm, parts, files, apis = {}, [], {}, []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'raw':
            m = re.match(r'\s*---\s*\n(.*?)\n---', src, re.DOTALL)
            if m and not fm: fm = yaml.safe_load(m.group(1)) or {}
            continue
        if c['cell_type'] == 'markdown':
            parts.append(src); continue
        opts, code = cell_options(src)
        if opts.get('include') is False: continue
        is_doc = re.match(r'\s*show_doc\(', code) is not None
        outs = [] if opts.get('output') is False else outputs_md(c, opts, files, stem, is_doc)
        if is_doc: apis += outs
        shown = code.strip() and opts.get('echo', True) is not False and not is_doc
        block = fenced(code, '.python .cell-code') if shown else ''
        if block and opts.get('code-fold'):
            summary = html.escape(str(opts.get('code-summary', 'Code')))
            block = raw_html(f'<details class="code-fold"{" open" if opts["code-fold"] == "show" else ""}><summary>{summary}</summary>') + f'\n\n{block}\n\n' + raw_html('</details>')
        if block or outs: parts.append('::: {.cell}\n' + '\n\n'.join(([block] if block else []) + outs) + '\n:::')
    return fm, '\n\n'.join(parts) + '\n', files, apis

# 3. Pandoc --------------------------------------------------------------------------------------------
def pandoc_path():
    "Pandoc from the pypandoc-binary wheel, or the one on PATH"
    try:
        import pypandoc
        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        if shutil.which('pandoc'): return shutil.which('pandoc')
        sys.exit('pandoc not found: pip install pypandoc-binary (or install pandoc)')

def npm_package(name):
    "The files of an npm package pinned in NPM, fetched with `npm pack` into .cache/npm/ when missing"
    version, integrity, want, _ = NPM[name]
    dest = NPM_CACHE/f'{name}-{version}'
    if all((dest/w).exists() for w in want): return dest
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    tgz = NPM_CACHE/f'{name}-{version}.tgz'
    if not tgz.exists():
        if not shutil.which('npm'): sys.exit(f'npm not found: install Node.js (npm), or put {tgz.name} in {NPM_CACHE}')
        log(f'  fetching {name}@{version} with npm pack ...')
        subprocess.run(['npm', 'pack', f'{name}@{version}', '--pack-destination', str(NPM_CACHE), '--silent'], check=True, stdout=subprocess.DEVNULL)
    if 'sha512-' + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode() != integrity:
        tgz.unlink(); sys.exit(f'{tgz} does not match the registry integrity hash: removed it, run again')
    tmp = Path(tempfile.mkdtemp(dir=NPM_CACHE))
    with tarfile.open(tgz) as t:
        t.extractall(tmp, members=[m for m in t.getmembers() if m.isfile() and m.name[len('package/'):].startswith(want)], filter='data')
    if dest.exists(): shutil.rmtree(dest)
    (tmp/'package').rename(dest); shutil.rmtree(tmp)
    return dest

def write_static(out):
    static = out/'_static'
    static.mkdir(parents=True, exist_ok=True)
    for f in ('site.css', 'site.js'): shutil.copy2(HERE/f, static/f)
    mj = npm_package('mathjax')
    shutil.copytree(mj/'es5', static/'mathjax', dirs_exist_ok=True)
    shutil.copy2(mj/'LICENSE', static/'mathjax'/'LICENSE')
    ms = npm_package('minisearch')
    shutil.copy2(ms/'dist'/'umd'/'index.js', static/'minisearch.js')
    shutil.copy2(ms/'LICENSE.txt', static/'minisearch-LICENSE.txt')

def runnable(nb_path:Path, cfg)->bool:
    "Whether a notebook's page offers it for download: it has code cells and is not the index (README) page"
    from execnb.nbio import read_nb
    return nb_path.name != cfg.readme_nb and any(c.cell_type == 'code' for c in read_nb(nb_path).cells)

def nav_html(pages, page):
    res, section = ['<ul class="site-nav">'], None
    for p in pages:
        if p['page'] == REFERENCE_PAGE: res.append('<li class="nav-sep" role="separator"></li>')
        if p.get('section') and p['section'] != section: res.append(f'<li class="nav-section">{html.escape(p["section"])}</li>')
        section = p.get('section')
        cur = ' class="active" aria-current="page"' if p['page'] == page else ''
        res.append(f'<li><a href="{p["page"]}"{cur}>{html.escape(p["title"])}</a></li>')
    return '\n'.join(res + ['</ul>'])

def render(pandoc, p, pages, i, cfg, out, tmp):
    "One page: markdown + front matter -> out/page through Pandoc; returns the number of images"
    page, stem = p['page'], Path(p['page']).stem
    for fn, data in p['files'].items(): (out/fn).parent.mkdir(parents=True, exist_ok=True); (out/fn).write_bytes(data)
    meta = dict(title=str(p['fm'].get('title', stem)), description=str(p['fm'].get('description', '')),
                pagetitle=cfg.title if page == 'index.html' else f'{p["fm"].get("title", stem)} – {cfg.title}',
                **{'nb-pages': p['nb_pages'], 'site-url': p['site_url'], 'root': '', 'search-out': str(tmp/f'{stem}.json'), 'page': page,
                   **({'glossary-page': GLOSSARY_PAGE, 'glossary-terms': GLOSSARY_TERMS} if page != REFERENCE_PAGE and any(q['page'] == GLOSSARY_PAGE for q in pages) else {})})
    (tmp/f'{stem}.yml').write_text(json.dumps(meta))
    args = [pandoc, '-f', 'markdown-smart', '-t', 'html5', '-s', '--template', str(HERE/'page.html'), '--lua-filter', str(HERE/'site.lua'),
            '--metadata-file', str(tmp/f'{stem}.yml'), '--toc', '--toc-depth=2', '--mathjax=_static/mathjax/tex-chtml.js',
            '--syntax-highlighting=pygments', '-V', f'site-title={html.escape(cfg.title)}', '-V', f'nav={nav_html(pages, page)}',
            '-o', str(out/page)]
    if (out/'styles.css').exists(): args += ['-V', 'project-css=1']
    if p.get('nb'): args += ['-V', f'notebook=notebooks/{p["nb"]}', '-V', f'notebook-name={p["nb"]}']
    for k, q in (('prev', pages[i-1] if i else None), ('next', pages[i+1] if i+1 < len(pages) else None)):
        if q: args += ['-V', f'{k}-url={q["page"]}', '-V', f'{k}-title={html.escape(q["title"])}']
    r = subprocess.run(args, input=p['md'], text=True, capture_output=True, cwd=out)
    if r.returncode: sys.exit(f'pandoc failed on {page}: {r.stderr.strip()}')
    for l in r.stderr.splitlines(): log(f'  {page}: {l.strip()}')
    return len(p['files'])

def reference_md(modules):
    "The markdown of reference.html: every module's show_doc output, with a link to its chapter"
    res = ['Every function and class the package exports, module by module, with its signature and parameters. '
           'Each module links to the chapter that builds and explains it.']
    for mod, page, title, desc, apis in modules:
        res += [f'## {mod}', desc, f'Chapter: [{title}]({page})'] + apis
    return '\n\n'.join(r for r in res if r) + '\n'

def main(skip_proc=False):
    t0 = time.perf_counter()
    os.chdir(ROOT); sys.path.insert(0, str(ROOT))
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob, _nbpath2html
    from nbdev.processors import _default_exp
    from nbdev.quarto import nbdev_sidebar
    from execnb.nbio import read_nb
    import yaml
    cfg = get_config()
    nbs_path, out, proc = Path(cfg.nbs_path), ROOT/cfg.doc_path, ROOT/'_proc'
    nbs = sorted(nbglob(nbs_path, func=Path, skip_file_re='^[_.]'))
    log(f'docs: {len(nbs)} notebooks in {nbs_path.relative_to(ROOT)}/')
    for w in lint_notebooks(nbs): log(f'  warning: {w}')
    errors = {} if skip_proc else process_notebooks(nbs_path, nbs, proc)
    t1 = time.perf_counter()

    # pages in nbdev's sidebar order (the committed sidebar.yml with custom_sidebar, else as nbdev_docs regenerates it)
    if cfg.custom_sidebar: side = (nbs_path/'sidebar.yml').read_text()
    else:
        with contextlib.redirect_stdout(io.StringIO()) as buf: nbdev_sidebar(printit=True, force=True)
        side = buf.getvalue()
    def flat(es, section=None): # (notebook, the sidebar section it is listed under) in order
        return [x for e in es for x in ([(e, section)] if isinstance(e, str) else ([(e['href'], section)] if 'href' in e else [])
                                        + flat(e.get('contents', []), e.get('section', section)))]
    listed = [(e, s) for e, s in flat(yaml.safe_load(side)['website']['sidebar']['contents']) if e.endswith('.ipynb')]
    sections = dict(listed)
    entries = [e for e, _ in listed] + [nb.relative_to(nbs_path).as_posix() for nb in nbs if nb.relative_to(nbs_path).as_posix() not in sections]
    url = site_url(cfg)
    pages, nb_pages, modules = [], {}, []
    for e in entries:
        if not (proc/e).exists():
            if nbs_path/e in nbs: errors.setdefault(nbs_path/e, 'not processed')
            continue
        page = _nbpath2html(Path(e)).name
        fm, md, files, apis = notebook_md(json.loads((proc/e).read_text()), Path(page).stem)
        nb_pages[e] = page = fm.get('output-file', page)
        pages.append(dict(page=page, fm=fm, md=md, files=files, title=str(fm.get('title', Path(e).stem)), section=sections.get(e),
                          nb=Path(e).name if runnable(nbs_path/e, cfg) else None))
        mod = _default_exp(read_nb(nbs_path/e))
        if mod and apis: modules.append((f'{cfg.lib_name.replace("-", "_")}.{mod}', e, str(fm.get('title', '')), str(fm.get('description', '')), apis))
    if modules:
        pages.append(dict(page=REFERENCE_PAGE, md=reference_md(modules), files={}, title='API reference',
                          fm={'title': 'API reference', 'description': f'The functions and classes of {cfg.lib_name}, by module'}))
    if out.exists(): shutil.rmtree(out)
    shutil.copytree(proc, out, ignore=lambda d, names: [n for n in names if n.endswith(('.ipynb', '.yml', '.yaml', '.py'))])
    write_static(out)
    (out/'notebooks').mkdir()
    for p in pages: # each page's notebook, with its outputs, to download and run
        if p.get('nb'): shutil.copy2(nbs_path/p['nb'], out/'notebooks'/p['nb'])
    pandoc = pandoc_path()
    with tempfile.TemporaryDirectory() as tmp:
        tmp, index = Path(tmp), []
        for i, p in enumerate(pages):
            p.update(nb_pages=nb_pages, site_url=url)
            n = render(pandoc, p, pages, i, cfg, out, tmp)
            index += [dict(page=p['page'], pageTitle=p['title'], **{**s, **({'api': True} if p['page'] == REFERENCE_PAGE else {})})
                      for s in json.loads((tmp/f'{Path(p["page"]).stem}.json').read_text())] # the reference page is all API: ranked below prose
            log(f'  {p["page"]:<28} {p["title"]} ({n} image{"s"*(n != 1)})')
    (out/'_static'/'search-index.js').write_text('window.SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False) + ';\n')
    (out/'.nojekyll').touch()
    log(f'docs: {len(pages)} pages in {out.relative_to(ROOT)}/, {len(index)} sections searchable '
        f'(processing {t1-t0:.0f} s, rendering {time.perf_counter()-t1:.0f} s)')
    if errors:
        log(f'docs: {len(errors)} notebook(s) failed nbdev processing, their pages are missing:')
        for nb, e in errors.items(): log(f'  {nb.relative_to(ROOT)}: {e}')
        return 1
    return 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--skip-proc', action='store_true', help='reuse _proc/ from the last build (no nbdev processing)')
    sys.exit(main(**vars(ap.parse_args())))
