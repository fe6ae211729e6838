"""Execute notebooks in place so their committed outputs are fresh: `python tools/run_nb.py nbs/00_data.ipynb [--slow]`.

Cells flagged `#| slow` keep their committed outputs unless `--slow` is given (then they run too) or their cell id is
listed with `--slow-cells ID,ID` (to refresh one demonstration without rerunning the others); `#| eval: false`
cells and the final `nbdev_export()` cell never run. Stops at the first error and leaves the notebook unchanged.
Run `nbdev_clean` afterwards, as before any commit."""
import argparse, os, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

def skip(cell, slow:bool, ids=())->bool:
    "Whether `cell` is left as it is: markdown, the export cell, `eval: false`, and `slow` unless asked for (all, or by id)."
    if cell.cell_type != 'code': return True
    s = cell.source
    if 'nbdev_export' + '(' in s: return True
    heads = [l.replace(' ', '') for l in s.splitlines() if l.startswith('#|')]
    if '#|eval:false' in heads: return True
    return not slow and cell.get('id') not in ids and '#|slow' in heads

def run(path:Path, slow:bool=False, ids=()):
    "Run one notebook's cells in order and write it back with their outputs."
    nb, t0 = read_nb(path), time.time()
    sh = CaptureShell(path)
    os.environ.pop('IN_TEST', None) # outputs for readers: the full workloads, not the test-sized ones
    with working_directory(path.parent):
        sh.run_all(nb, exc_stop=True, preproc=lambda c: skip(c, slow, ids))
    write_nb(nb, path)
    print(f"{path}: ran in {time.time() - t0:.0f} s", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+', type=Path)
    p.add_argument('--slow', action='store_true', help='run the cells flagged slow too')
    p.add_argument('--slow-cells', default='', help='ids of slow cells to run, separated by commas')
    a = p.parse_args()
    for f in a.notebooks: run(f.resolve(), a.slow, set(filter(None, a.slow_cells.split(','))))
