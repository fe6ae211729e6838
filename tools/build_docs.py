"""Build the documentation site into `_docs/` without Quarto: `python tools/build_docs.py`.

On GitHub the site is built by nbdev's own `nbdev_docs` (Quarto, `.github/workflows/deploy.yaml`). Quarto
cannot be installed everywhere, so this script makes the same site offline, in three steps:

1. **nbdev's own notebook processing**, exactly what `nbdev_docs`/`proc_nbs` runs: every notebook in
   `nbs/` goes through `nbdev.processors.FilterDefaults` into `_proc/` (title cell -> front matter,
   directives stripped, hidden and exported cells removed, `show_doc` cells added and executed,
   `#| exports` source folded, doclinks added). It is called per notebook (`nbdev.serve_drv.exec_nb`, as
   `nbdev.serve.proc_nbs` does; see tools/docs/nbproc.py) in a process pool, so that one failing notebook is reported by name
   while the others are still built. `nbdev_proc_nbs` is not used: it tries to install Quarto first.
   Nothing else is executed: outputs are the ones saved in the notebooks, as with Quarto.
2. **Quarto's markdown extensions** that nbconvert does not know are translated: the front matter
   becomes the page title and description; `#| echo: false`, `output`, `include`, `code-fold` are
   honoured; `::: {.callout-note}` fenced divs become styled boxes; Pandoc attributes on links, images
   and spans (`[x](url){target="_blank"}`) become HTML; heading ids follow Pandoc's rule (so nbdev's
   doclink anchors such as `data.html#minibatches.next` resolve); links to the site and to `.ipynb`
   files become relative links to the pages.
3. **nbconvert renders each page** with the template `tools/docs/site.html.j2`, which extends
   nbconvert's `lab/index.html.j2`. Lab rather than classic: it is nbconvert's default and maintained
   template, its markup and stylesheet are JupyterLab's (the look readers know from the notebooks
   themselves), and its blocks separate the pieces we must replace: `html_head_js` (require.js from a
   CDN: dropped, nothing needs it), `jupyter_widgets` and `html_head_js_mermaidjs` (CDN scripts:
   dropped), `html_head_js_mathjax` (MathJax 2 from a CDN: replaced by MathJax 3 served by the site),
   `notebook_css` (275 kB inlined in every page: linked once from `_static/` instead), and
   `body_header`/`body_footer` (where the site title, chapter sidebar, "on this page" list and
   previous/next links go). Images in outputs are written as files next to each page.

MathJax 3 comes from npm (`mathjax@3.2.2`, fetched with `npm pack` into `.cache/npm/` when missing and
checked against its registry integrity hash); `es5/tex-chtml.js`, its woff-v2 fonts and its TeX
extensions (loaded on demand by `autoload`) are copied into `_docs/_static/mathjax/`. Pages load
nothing from outside the site.

The chapter order is nbdev's: `nbs/sidebar.yml` as `nbdev_docs` would regenerate it (with
`custom_sidebar = False`), or the committed file (with `custom_sidebar = True`). An extra page,
`reference.html`, gathers the API of every module (the `show_doc` output of its chapter).

Check the result in a browser with `python tools/check_docs.py`; open `_docs/index.html`, or serve it
with `python -m http.server --directory _docs`.
"""
import argparse, base64, contextlib, copy, hashlib, html, io, os, re, shutil, subprocess, sys, tarfile, time
import ast
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent/'docs'
MATHJAX_VERSION = '3.2.2'
MATHJAX_INTEGRITY = 'sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=='
NPM_CACHE = ROOT/'.cache'/'npm'
REFERENCE_PAGE = 'reference.html'
CALLOUTS = {'note': 'Note', 'tip': 'Tip', 'warning': 'Warning', 'important': 'Important', 'caution': 'Caution'}

def log(*a): print(*a, flush=True)

# ---------------------------------------------------------------------------------------------------
# 1. nbdev's processing
# ---------------------------------------------------------------------------------------------------
def _has(trees, types): return any(isinstance(n, types) for t in trees for n in ast.walk(t))

def lint_notebooks(nbs):
    "Cells that nbdev's docs processing executes although they are neither exports nor `show_doc`"
    from execnb.nbio import read_nb
    from nbdev.process import extract_directives
    res = []
    for nb_path in nbs:
        for i, c in enumerate(read_nb(nb_path).cells):
            if c.cell_type != 'code' or not c.source.strip(): continue
            src = c.source
            dirs = extract_directives(copy.deepcopy(c), remove=False) if '#|' in src else {}
            if set(dirs) & {'export', 'exports', 'exporti', 'exec_doc'} or 'nbdev_export()' in src: continue
            if str(dirs.get('eval:', [''])[0]).lower() == 'false': continue
            try: trees = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))).body
            except SyntaxError: continue
            if _has(trees, (ast.Import, ast.ImportFrom)) and _has(trees, (ast.Expr, ast.Assign)):
                first = next(l for l in src.splitlines() if l.strip() and not l.startswith('#|'))
                res.append(f'{nb_path.relative_to(ROOT)} cell {i+1} ("{first[:60]}"): mixes an import with other '
                           f'code, so nbdev runs the whole cell while making the docs, without the cells before it; '
                           f'put the import in a cell of its own')
    return res

def process_notebooks(cfg, nbs, proc):
    "nbdev's processing of every notebook into `proc`; returns {notebook: error message} for failures"
    if proc.exists(): shutil.rmtree(proc)
    proc.mkdir(parents=True)
    nbs_path = Path(cfg.nbs_path)
    for s in sorted(nbs_path.rglob('*')):  # other files (images, styles.css ...) are copied, as proc_nbs does
        rel = s.relative_to(nbs_path)
        if not s.is_file() or s.suffix == '.ipynb' or any(p[0] in '._' and p != '_quarto.yml' for p in rel.parts): continue
        (proc/rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(s, proc/rel)
    jobs = {nb: proc/nb.relative_to(nbs_path) for nb in nbs}
    for d in jobs.values(): d.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    import nbproc  # the worker function, importable by name in the worker processes
    errors = {}
    n = max(1, min(len(jobs), os.cpu_count() or 1))
    with ProcessPoolExecutor(n, mp_context=get_context('spawn')) as ex:
        futs = {nb: ex.submit(nbproc.proc_one, str(nb), str(d)) for nb, d in jobs.items()}
        for nb, f in futs.items():
            r = f.result()
            if isinstance(r, str): errors[nb] = r; log(f'  FAILED {nb.relative_to(ROOT)}')
            else: log(f'  processed {nb.relative_to(ROOT)} ({r:.1f} s)')
    return errors

# ---------------------------------------------------------------------------------------------------
# chapter order
# ---------------------------------------------------------------------------------------------------
def sidebar_entries(cfg):
    "nbdev's sidebar contents: the regenerated one unless `custom_sidebar`; entries relative to nbs/"
    import yaml
    nbs_path = Path(cfg.nbs_path)
    committed = nbs_path/'sidebar.yml'
    if cfg.custom_sidebar and committed.exists(): txt = committed.read_text()
    else:
        from nbdev.quarto import nbdev_sidebar
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf): nbdev_sidebar(printit=True, force=True)
        txt = buf.getvalue()
        if committed.exists() and yaml.safe_load(committed.read_text()) != yaml.safe_load(txt):
            log('  note: nbs/sidebar.yml differs from what nbdev_docs regenerates; the site uses the regenerated order')
    return (yaml.safe_load(txt) or {}).get('website', {}).get('sidebar', {}).get('contents', [])

def flatten(entries, section=None):
    "[(section, path)] in order, for sidebar entries (strings, `href:` dicts and `section:` dicts)"
    res = []
    for e in entries:
        if isinstance(e, str): res.append((section, e))
        elif isinstance(e, dict):
            if 'href' in e: res.append((section, e['href']))
            if 'contents' in e: res += flatten(e['contents'], e.get('section', section))
    return res

# ---------------------------------------------------------------------------------------------------
# 2. Quarto/Pandoc markdown -> markdown that nbconvert renders
# ---------------------------------------------------------------------------------------------------
_re_attr = re.compile(r'''\.([\w-]+)|#([\w:.-]+)|([\w-]+)=("[^"]*"|'[^']*'|[^\s"']+)''')

def parse_attrs(s):
    "Pandoc attributes `{#id .class key=value}` -> (id, [classes], {key: value})"
    id_, cls, kv = None, [], {}
    for m in _re_attr.finditer(s):
        if m.group(1): cls.append(m.group(1))
        elif m.group(2): id_ = m.group(2)
        else:
            v = m.group(4)
            kv[m.group(3)] = v[1:-1] if v[:1] in '"\'' else v
    return id_, cls, kv

def html_attrs(id_=None, cls=(), kv=None, img=False):
    kv, res = dict(kv or {}), []
    if img:  # Pandoc image sizes such as width=50% go into the style
        st = [f'{k}:{kv.pop(k)}' for k in ('width', 'height') if k in kv and not kv[k].isdigit()]
        if st: kv['style'] = ';'.join(st + ([kv['style']] if 'style' in kv else []))
    if id_: res.append(f'id="{html.escape(id_)}"')
    if cls: res.append(f'class="{html.escape(" ".join(cls))}"')
    res += [f'{k}="{html.escape(v)}"' for k, v in kv.items()]
    return (' ' + ' '.join(res)) if res else ''

_re_fence = re.compile(r'^\s{0,3}(`{3,}|~{3,})')
_re_protect = re.compile(r'(`+)(?:.+?)\1|\$\$.+?\$\$|(?<![\\$])\$[^\s$](?:[^$\n]*[^\s$\\])?\$', re.DOTALL)
_br = r'(?:[^\[\]]|\[[^\[\]]*\])*'
_re_link_attr = re.compile(r'(!?)\[(' + _br + r')\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+"([^"]*)")?\s*\)\{([^{}]*)\}')
_re_span = re.compile(r'(?<![\]!])\[(' + _br + r')\]\{([^{}]*)\}')
_re_div_open = re.compile(r'^\s{0,3}(:{3,})\s*(?:\{([^{}]*)\}|([\w-]+))\s*$')
_re_div_close = re.compile(r'^\s{0,3}:{3,}\s*$')
_re_head_attr = re.compile(r'^(\s{0,3}#{1,6}\s.*?)\s+\{([^{}]*)\}\s*$')
_re_heading = re.compile(r'^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$')

def _inline(text):
    "Pandoc inline attributes -> HTML, leaving code spans and maths alone"
    saved = []
    def keep(m): saved.append(m.group(0)); return f'\x00{len(saved)-1}\x00'
    t = _re_protect.sub(keep, text)
    def link(m):
        bang, txt, url, title, attrs = m.groups()
        id_, cls, kv = parse_attrs(attrs)
        if title: kv['title'] = title
        if bang:
            kv = {'src': url, 'alt': re.sub(r'\x00(\d+)\x00', lambda n: saved[int(n.group(1))], txt).strip('`'), **kv}
            return f'<img{html_attrs(id_, cls, kv, img=True)}>'
        return f'<a{html_attrs(id_, cls, {"href": url, **kv})}>{txt}</a>'
    t = _re_link_attr.sub(link, t)
    t = _re_span.sub(lambda m: f'<span{html_attrs(*parse_attrs(m.group(2)))}>{m.group(1)}</span>', t)
    return re.sub(r'\x00(\d+)\x00', lambda m: saved[int(m.group(1))], t)

def _callout_open(kind, id_, cls, kv, title):
    title = title or kv.pop('title', None) or CALLOUTS[kind]
    return [f'<div{html_attrs(id_, ["callout", f"callout-{kind}"] + [c for c in cls if not c.startswith("callout")])}>'
            f'<div class="callout-header">', '', title, '', '</div><div class="callout-body">', '']

def quarto_md(src):
    "Translate the Quarto/Pandoc extensions in a markdown string into markdown + HTML nbconvert renders"
    lines, out, stack, fence, text = src.split('\n'), [], [], None, []
    def flush():
        if text: out.append(_inline('\n'.join(text))); text.clear()
    i = 0
    while i < len(lines):
        l = lines[i]; i += 1
        m = _re_fence.match(l)
        if fence:  # inside fenced code: untouched
            out.append(l)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not l.strip()[len(m.group(1)):].strip(): fence = None
            continue
        if m: flush(); fence = m.group(1); out.append(l); continue
        m = _re_div_open.match(l)
        if m:
            flush()
            id_, cls, kv = parse_attrs(m.group(2) or '.' + m.group(3))
            kind = next((c[8:] for c in cls if c.startswith('callout-') and c[8:] in CALLOUTS), None)
            if kind:
                title = None
                j = i
                while j < len(lines) and not lines[j].strip(): j += 1
                h = _re_heading.match(lines[j]) if j < len(lines) else None
                if h and 'title' not in kv: title, i = h.group(1), j + 1
                out += _callout_open(kind, id_, cls, kv, title); stack.append('</div></div>')
            else: out += [f'<div{html_attrs(id_, cls, kv)}>', '']; stack.append('</div>')
            continue
        if _re_div_close.match(l):
            flush()
            if stack: out += ['', stack.pop(), '']
            continue
        m = _re_head_attr.match(l)
        if m:
            id_, cls, kv = parse_attrs(m.group(2))
            l = m.group(1) + (f' <span id="{html.escape(id_)}"></span>' if id_ else '')
        text.append(l)
    flush()
    while stack: out += ['', stack.pop()]
    return '\n'.join(out)

# ---------------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------------
_re_opt = re.compile(r'^\s*#\|\s?(.*)$')

def cell_options(src):
    "Split the leading `#|` lines (Quarto options and nbdev directives) off a code cell"
    import yaml
    lines, opts = src.split('\n'), {}
    while lines and _re_opt.match(lines[0]):
        o = _re_opt.match(lines.pop(0)).group(1).strip()
        if ':' in o:
            k, v = o.split(':', 1)
            try: opts[k.strip()] = yaml.safe_load(v.strip()) if v.strip() else True
            except yaml.YAMLError: opts[k.strip()] = v.strip()
        elif o: opts[o.split()[0]] = True
    return opts, '\n'.join(lines).strip('\n')

def _front_matter(nb):
    import yaml
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            m = re.match(r'\s*---\s*\n(.*?)\n---', c.source, re.DOTALL)
            nb.cells.pop(i)
            return (yaml.safe_load(m.group(1)) if m else None) or {}
    return {}

_re_fa_link = re.compile(r'<link[^>]*href="https?://[^"]*font-awesome[^"]*"[^>]*>', re.IGNORECASE)
_re_md_h3 = re.compile(r'^###\s+(.+?)\s*$', re.MULTILINE)
_re_md_block = re.compile(r'^```.*?^```', re.MULTILINE | re.DOTALL)

def clean_signature(md):
    "In show_doc's signature block: doclinks nbdev put in the comments (shown as text in code) and `__main__.`"
    f = lambda m: re.sub(r'\[(`[^`\n]+`)\]\([^)\s]*\)', r'\1', m.group(0)).replace('__main__.', '')
    return _re_md_block.sub(f, md)

def prepare(nb):
    "Quarto semantics on a processed notebook (in place); returns the front matter and the show_doc outputs"
    fm, cells, apis = _front_matter(nb), [], []
    for c in nb.cells:
        if c.cell_type == 'raw': continue  # Quarto only passes through raw cells made for its formats
        if c.cell_type == 'markdown':
            s = c.source.strip()
            if not s or re.fullmatch(r'<!--.*?-->', s, re.DOTALL): continue
            c.source = quarto_md(c.source)
            c.attachments = c.get('attachments', {})
            cells.append(c); continue
        opts, src = cell_options(c.source)
        if opts.get('include') is False: continue
        tags = set(c.metadata.get('tags', []))
        c.source = src
        if opts.get('echo') is False or not src.strip(): c.metadata.setdefault('transient', {})['remove_source'] = True; tags.add('echo-false')
        if opts.get('output') is False: c.outputs = []
        if opts.get('warning') is False: c.outputs = [o for o in c.outputs if o.get('name') != 'stderr']
        if opts.get('output') == 'asis': tags.add('output-asis')
        if opts.get('code-fold') and src.strip():
            c.metadata['code_fold'] = 'show' if opts['code-fold'] == 'show' else 'hide'
            c.metadata['code_summary'] = str(opts.get('code-summary', 'Code'))
        is_sd = re.match(r'\s*show_doc\(', src) is not None
        for o in c.outputs:
            if 'text/html' in o.get('data', {}):  # matplotlib's to_jshtml animations link Font Awesome from a CDN: site.css draws those icons
                h = o.data['text/html']
                o.data['text/html'] = _re_fa_link.sub('', ''.join(h) if isinstance(h, list) else h)
            if 'text/markdown' in o.get('data', {}):
                md = o.data['text/markdown']
                md = ''.join(md) if isinstance(md, list) else md
                md = quarto_md(clean_signature(md) if is_sd else md)
                o.data['text/markdown'] = md
                if is_sd: apis.append(md); tags.add('show-doc')
        if c.metadata.get('transient', {}).get('remove_source') and not c.outputs: continue
        c.metadata['tags'] = sorted(tags)
        cells.append(c)
    nb.cells = cells
    return fm, apis

def slugify(text):
    "Pandoc's auto identifier: the id Quarto (and nbdev's doclinks) give a heading"
    t = html.unescape(re.sub(r'<[^>]+>', '', text)).strip().lower()
    t = re.sub(r'[^\w\s.-]', '', t)
    t = re.sub(r'\s+', '-', t)
    t = re.sub(r'^[^a-z]+', '', t)
    return t or 'section'

_re_h = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="anchor-link" href="#[^"]*">¶</a></h\1>', re.DOTALL)

def fix_headings(body, api_names):
    "Pandoc-style heading ids; returns the body, the section list and the API list (show_doc headings)"
    seen, toc, api = {}, [], []
    def f(m):
        lvl, _, inner = m.groups()
        sid = slugify(inner)
        if sid in seen: seen[sid] += 1; sid = f'{sid}-{seen[sid]}'
        else: seen[sid] = 0
        text = html.unescape(re.sub(r'<[^>]+>', '', inner)).strip()
        if lvl == '3' and text in api_names: api.append((sid, text)); api_names.discard(text)
        elif lvl == '2': toc.append((sid, text))
        return f'<h{lvl} id="{sid}">{inner}<a class="anchor-link" href="#{sid}" aria-label="link to this section">#</a></h{lvl}>'
    return _re_h.sub(f, body), toc, api

def rel_url(target, page):
    "URL of site path `target` relative to the page at site path `page`"
    return os.path.relpath(PurePosixPath('/')/target, (PurePosixPath('/')/page).parent).replace(os.sep, '/')

def fix_links(body, page, site_url, nb_pages, missing):
    "Links to the site (nbdev doclinks) and to notebooks become relative links to the pages; `missing` collects unknown notebooks"
    def f(m):
        attr, url = m.group(1), html.unescape(m.group(2))
        path = None
        for base in (site_url + '/', site_url.replace('https://', 'http://') + '/'):
            if url.startswith(base): path = url[len(base):] or 'index.html'
        sp = urlsplit(url)
        if path is None and not sp.scheme and not url.startswith(('#', '/', 'mailto:')) and sp.path.endswith('.ipynb'):
            path = str(PurePosixPath(page).parent/sp.path) + (f'#{sp.fragment}' if sp.fragment else '')
            path = os.path.normpath(path).replace(os.sep, '/')
        if path is None: return m.group(0)
        p, _, frag = path.partition('#')
        if p.endswith('.ipynb') and p not in nb_pages: missing.add(p)
        p = nb_pages.get(p, p)
        new = rel_url(p, page) + (f'#{frag}' if frag else '')
        return f'{attr}="{html.escape(new)}"'
    return re.sub(r'\b(href|src)="([^"]*)"', f, body)

def nav_html(nav, page):
    res, sec = ['<ul class="site-nav">'], None
    for section, p, title in nav:
        if section and section != sec: res.append(f'<li class="nav-section">{html.escape(section)}</li>')
        elif (sec and not section) or p == REFERENCE_PAGE: res.append('<li class="nav-sep" role="separator"></li>')
        sec = section
        cur = ' class="active" aria-current="page"' if p == page else ''
        res.append(f'<li><a href="{rel_url(p, page)}"{cur}>{html.escape(title)}</a></li>')
    return '\n'.join(res + ['</ul>'])

def toc_html(toc, api):
    res = []
    if toc: res += ['<nav class="page-toc" aria-label="On this page"><h2>On this page</h2><ul>'] + [f'<li><a href="#{i}">{html.escape(t)}</a></li>' for i, t in toc] + ['</ul></nav>']
    if api: res += ['<nav class="page-api" aria-label="API on this page"><h2>API</h2><ul>'] + [f'<li><a href="#{i}"><code>{html.escape(t)}</code></a></li>' for i, t in api] + ['</ul></nav>']
    return '\n'.join(res)

class Site:
    def __init__(self, cfg):
        from nbconvert import HTMLExporter
        self.cfg, self.title = cfg, cfg.get('title', cfg.lib_name)
        self.site_url = (cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/')).rstrip('/')
        self.exporter = HTMLExporter(template_name='lab', template_file='site.html.j2', extra_template_paths=[str(HERE)],
                                     exclude_input_prompt=True, exclude_output_prompt=True, anchor_link_text='¶')
        from nbconvert.preprocessors import ExtractOutputPreprocessor, ExtractAttachmentsPreprocessor
        self.exporter.register_preprocessor(ExtractOutputPreprocessor(), enabled=True)
        self.exporter.register_preprocessor(ExtractAttachmentsPreprocessor(), enabled=True)

    def render(self, nb, page, fm, apis, nav, prev, nxt, out):
        nb.metadata['title'] = f'{fm.get("title", "")} – {self.title}' if page != 'index.html' else self.title
        stem = PurePosixPath(page).stem
        site = dict(title=self.title, page_title=fm.get('title', ''), description=fm.get('description', ''),
                    root='' if rel_url('', page) == '.' else rel_url('', page) + '/', nav=nav_html(nav, page), project_css=(out/'styles.css').exists(),
                    prev=(rel_url(prev[0], page), prev[1]) if prev else None, next=(rel_url(nxt[0], page), nxt[1]) if nxt else None)
        res = {'site': site, 'output_files_dir': f'{stem}_files', 'unique_key': stem}
        body, res = self.exporter.from_notebook_node(nb, resources=res)
        names = {m for md in apis for m in _re_md_h3.findall(md)}
        body, toc, api = fix_headings(body, set(n.strip('`') for n in names))
        body = body.replace('<!--PAGE-TOC-->', toc_html(toc, api))
        missing = set()
        body = fix_links(body, page, self.site_url, self.nb_pages, missing)
        for p in sorted(missing): log(f'  warning: {page} links to {p}, which has no page (no such notebook, or it failed)')
        dest = out/page
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(body, encoding='utf-8')
        for fn, data in res.get('outputs', {}).items():
            (dest.parent/fn).parent.mkdir(parents=True, exist_ok=True)
            (dest.parent/fn).write_bytes(data)
        return len(res.get('outputs', {}))

# ---------------------------------------------------------------------------------------------------
# 3. static files: lab CSS, site CSS, MathJax 3
# ---------------------------------------------------------------------------------------------------
def ensure_mathjax():
    "MathJax's files, fetched with `npm pack` into .cache/npm/ when missing; returns its es5 folder"
    dest = NPM_CACHE/f'mathjax-{MATHJAX_VERSION}'
    if (dest/'es5'/'tex-chtml.js').exists(): return dest/'es5'
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    tgz = NPM_CACHE/f'mathjax-{MATHJAX_VERSION}.tgz'
    if not tgz.exists():
        if not shutil.which('npm'): sys.exit('npm not found: install Node.js (npm), or put mathjax-3.2.2.tgz in .cache/npm/')
        log(f'  fetching mathjax@{MATHJAX_VERSION} with npm pack ...')
        subprocess.run(['npm', 'pack', f'mathjax@{MATHJAX_VERSION}', '--pack-destination', str(NPM_CACHE), '--silent'],
                       check=True, stdout=subprocess.DEVNULL)
    digest = 'sha512-' + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != MATHJAX_INTEGRITY: tgz.unlink(); sys.exit(f'{tgz} does not match the registry integrity hash: removed it, run again')
    want = ('package/es5/tex-chtml.js', 'package/es5/output/chtml/fonts/woff-v2/', 'package/es5/input/tex/extensions/', 'package/LICENSE')
    tmp = dest.with_suffix('.tmp')
    if tmp.exists(): shutil.rmtree(tmp)
    with tarfile.open(tgz) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.startswith(want):
                f = tmp/m.name[len('package/'):]
                f.parent.mkdir(parents=True, exist_ok=True)
                f.write_bytes(t.extractfile(m).read())
    if dest.exists(): shutil.rmtree(dest)
    tmp.rename(dest)
    return dest/'es5'

def write_static(out, proc):
    import nbconvert
    static = out/'_static'
    static.mkdir(parents=True, exist_ok=True)
    lab = Path(nbconvert.__file__).parent
    labdir = next(p for p in [Path(sys.prefix)/'share'/'jupyter'/'nbconvert'/'templates'/'lab'/'static',
                              *[Path(d)/'nbconvert'/'templates'/'lab'/'static' for d in _jupyter_paths()]] if (p/'index.css').exists())
    shutil.copy2(labdir/'index.css', static/'jupyterlab.css')
    shutil.copy2(labdir/'theme-light.css', static/'jupyterlab-theme-light.css')
    shutil.copy2(HERE/'site.css', static/'site.css')
    mj = ensure_mathjax()
    shutil.copytree(mj, static/'mathjax', dirs_exist_ok=True)
    shutil.copy2(mj.parent/'LICENSE', static/'mathjax'/'LICENSE')
    # the project's own files in nbs/ (styles.css, images ...), as Quarto copies them
    for s in sorted(proc.rglob('*')):
        rel = s.relative_to(proc)
        if s.is_file() and s.suffix not in ('.ipynb', '.yml', '.yaml', '.py') : (out/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(s, out/rel)

def _jupyter_paths():
    from jupyter_core.paths import jupyter_path
    return jupyter_path()

# ---------------------------------------------------------------------------------------------------
def reference_nb(modules):
    "A notebook gathering the show_doc output of every module, for reference.html"
    import nbformat
    nb = nbformat.v4.new_notebook()
    intro = 'Every function and class the package exports, module by module, with its signature and parameters. Each module links to the chapter that builds and explains it.'
    nb.cells.append(nbformat.v4.new_markdown_cell(intro))
    for mod, page, title, desc, apis in modules:
        md = f'## {mod}\n\n{desc}\n\nChapter: <a href="{page}">{html.escape(title)}</a>' if desc else f'## {mod}\n\nChapter: <a href="{page}">{html.escape(title)}</a>'
        nb.cells.append(nbformat.v4.new_markdown_cell(md))
        for a in apis:
            c = nbformat.v4.new_code_cell('', outputs=[nbformat.v4.new_output('display_data', data={'text/markdown': a})])
            c.metadata['transient'] = {'remove_source': True}; c.metadata['tags'] = ['echo-false', 'output-asis', 'show-doc']
            nb.cells.append(c)
    return nb

def main(skip_proc=False):
    t0 = time.perf_counter()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob, _nbpath2html
    from nbdev.processors import _default_exp
    from execnb.nbio import read_nb
    import nbformat
    cfg = get_config()
    nbs_path, out, proc = Path(cfg.nbs_path), ROOT/cfg.doc_path, ROOT/'_proc'
    nbs = sorted(nbglob(nbs_path, func=Path, skip_file_re='^[_.]'))
    log(f'docs: {len(nbs)} notebooks in {nbs_path.relative_to(ROOT)}/')
    warnings = lint_notebooks(nbs)
    for w in warnings: log(f'  warning: {w}')
    errors = {} if skip_proc else process_notebooks(cfg, nbs, proc)
    t1 = time.perf_counter()

    # pages in sidebar order; notebooks nbdev's sidebar does not list go last, in name order
    entries = [(s, e) for s, e in flatten(sidebar_entries(cfg)) if e.endswith('.ipynb')]
    listed = {nbs_path/e for _, e in entries}
    entries += [(None, nb.relative_to(nbs_path).as_posix()) for nb in nbs if nb not in listed]
    pages, nb_pages, modules = [], {}, []
    for section, e in entries:
        src, p = nbs_path/e, proc/e
        if not p.exists():
            if src.exists() and src not in errors and src in nbs: errors[src] = 'not processed'
            continue
        nb = nbformat.read(p, as_version=4)
        fm, apis = prepare(nb)
        page = (PurePosixPath(e).parent/fm.get('output-file', _nbpath2html(Path(e)).name)).as_posix()
        nb_pages[PurePosixPath(e).as_posix()] = page
        pages.append(dict(section=section, src=src, nb=nb, fm=fm, page=page, apis=apis, title=str(fm.get('title', PurePosixPath(e).stem))))
        mod = _default_exp(read_nb(src))
        if mod and apis: modules.append((f'{cfg.lib_name.replace("-", "_")}.{mod}', page, str(fm.get('title', '')), str(fm.get('description', '')), apis))
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    write_static(out, proc)
    site = Site(cfg)
    site.nb_pages = nb_pages
    if modules:
        if REFERENCE_PAGE in {p['page'] for p in pages}: sys.exit(f'a notebook already renders to {REFERENCE_PAGE}')
        pages.append(dict(section=None, src=None, nb=reference_nb(modules), page=REFERENCE_PAGE, apis=[a for m in modules for a in m[4]],
                          fm={'title': 'API reference', 'description': f'The functions and classes of {cfg.lib_name}, by module'}, title='API reference'))
    nav = [(p['section'], p['page'], p['title']) for p in pages]
    for i, p in enumerate(pages):
        prev = (pages[i-1]['page'], pages[i-1]['title']) if i else None
        nxt = (pages[i+1]['page'], pages[i+1]['title']) if i+1 < len(pages) else None
        n = site.render(p['nb'], p['page'], p['fm'], p['apis'], nav, prev, nxt, out)
        log(f'  {p["page"]:<28} {p["title"]} ({n} image{"s"*(n != 1)})')
    (out/'.nojekyll').touch()
    t2 = time.perf_counter()
    log(f'docs: {len(pages)} pages in {out.relative_to(ROOT)}/ (processing {t1-t0:.0f} s, rendering {t2-t1:.0f} s)')
    if errors:
        log(f'docs: {len(errors)} notebook(s) failed nbdev processing, their pages are missing:')
        for nb, e in errors.items():
            log(f'  {nb.relative_to(ROOT)}: {e}')
            if 'show_doc(' in e: log('  (nbdev could not document that object from its signature and docments; nbdev_docs fails the same way)')
        if any(str(nb.relative_to(ROOT)) in w for nb in errors for w in warnings):
            log('docs: see the warnings above: a cell that mixes imports with other code makes nbdev run it out of order')
        return 1
    return 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--skip-proc', action='store_true', help='reuse _proc/ from the last build (no nbdev processing)')
    sys.exit(main(**vars(ap.parse_args())))
