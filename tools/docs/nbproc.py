"""Worker for tools/build_docs.py: nbdev's docs processing of one notebook, run in a separate process.

It lives in its own module (not in build_docs.py, which runs as `__main__`) because nbdev executes
notebook cells in an IPython shell, and IPython replaces the worker's `__main__` module: a function
defined in `__main__` could then no longer be found for the next notebook.
"""
import contextlib, io, time, traceback, warnings
from pathlib import Path

def proc_one(src, dst):
    "Run nbdev's `FilterDefaults` processors on notebook `src`, writing `dst`; seconds taken, or the error text"
    from nbdev.serve_drv import main
    from nbdev.processors import FilterDefaults
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # the mixed-import warning is reported by build_docs.lint_notebooks
            with contextlib.redirect_stdout(io.StringIO()): main((Path(src), Path(dst), FilterDefaults))
    except Exception as e:
        msg = ''.join(traceback.format_exception_only(type(e), e)).strip()
        lines = msg.split('\n')  # nbdev's message quotes the whole cell: keep its first lines
        if len(lines) > 4: msg = '\n'.join(lines[:4] + [f'    ... ({len(lines)-4} more lines)'])
        c = e.__cause__ or e.__context__
        if c is not None: msg += '\n  caused by: ' + ''.join(traceback.format_exception_only(type(c), c)).strip()
        return msg
    return time.perf_counter() - t0
