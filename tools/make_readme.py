"""Write README.md from nbs/index.ipynb without Quarto.

nbdev 2's `nbdev_readme` renders the processed index notebook with Quarto, which is not always
installable. This does the same with nbdev's own processing (directives stripped, hidden cells
dropped) followed by a plain markdown writer: `# title`, `> description`, then each cell. Images in
outputs are written to `index_files/figure-commonmark/` (where Quarto puts them). Run from the repo root:

    python tools/make_readme.py
"""
import base64, re, shutil, tempfile
import yaml
from pathlib import Path
from execnb.nbio import read_nb
from nbdev.config import get_config
from nbdev.serve_drv import exec_nb
from nbdev.serve import FilterDefaults
from nbdev.doclinks import _nbpath2html
from build_docs import cell_options, site_url # tools/build_docs.py, next to this script

def _front_matter(src):
    "title and description from the raw YAML cell nbdev makes of the title cell"
    fm = yaml.safe_load(src.strip().strip('-')) or {}
    return str(fm.get('title', '')), str(fm.get('description', ''))

def _outputs(c, cell_no, img_dir, alt=''):
    res, n = [], 0
    for o in c.get('outputs', []):
        d = o.get('data', {})
        if o.get('output_type') == 'stream': res.append('    ' + ''.join(o['text']).rstrip().replace('\n', '\n    '))
        elif 'image/png' in d:
            img_dir.mkdir(parents=True, exist_ok=True)
            fn = img_dir/f'cell-{cell_no}-output-{n+1}.png'; n += 1
            fn.write_bytes(base64.b64decode(''.join(d['image/png'])))
            res.append(f'![{alt}]({fn.relative_to(img_dir.parent.parent).as_posix()})')
        elif 'text/markdown' in d: res.append(''.join(d['text/markdown']))
        elif 'text/plain' in d: res.append('    ' + ''.join(d['text/plain']).rstrip().replace('\n', '\n    '))
    return res

def make_readme(root=None):
    cfg = get_config()
    root = Path(root or cfg.config_path)
    src = cfg.nbs_path/cfg.readme_nb
    # each cell's `#| fig-alt:`, by cell id (nbdev's processing removes the option lines), read as the docs build reads it
    alts = {c.get('id'): str(cell_options(c.source)[0].get('fig-alt', '')) for c in read_nb(src).cells if c.cell_type == 'code'}
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp)/'index.ipynb'
        exec_nb(src, dst, FilterDefaults)
        nb = read_nb(dst)
    img_dir = root/'index_files'/'figure-commonmark'
    if img_dir.exists(): shutil.rmtree(img_dir)
    parts = []
    for i, c in enumerate(nb.cells):
        s = c.source.strip()
        if c.cell_type == 'raw' and s.startswith('---'):
            t, d = _front_matter(s)
            parts += [f'# {t}', f'> {d}'] if d else [f'# {t}']
        elif c.cell_type == 'markdown': parts.append(s)
        elif c.cell_type == 'code':
            if s: parts.append(f'``` python\n{s}\n```')
            parts += _outputs(c, i+1, img_dir, alts.get(c.get('id'), ''))
    out = '\n\n'.join(p for p in parts if p) + '\n'
    # links between notebooks point at their pages on the docs site, named as nbdev names them (00_data.ipynb -> data.html)
    site = site_url(cfg)
    out = re.sub(r'\]\(([\w-]+\.ipynb)(#[\w.-]+)?\)', lambda m: f']({site}/{_nbpath2html(Path(m.group(1))).name}{m.group(2) or ""})', out)
    (root/'README.md').write_text(out)
    return root/'README.md'

if __name__ == '__main__': print(f'wrote {make_readme()}')
