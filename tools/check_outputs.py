"""Committed outputs that stay true: `python tools/check_outputs.py` (run by .ci/run).

1. No machine paths in any notebook's committed outputs or in README.md: a home folder (/home/..., /root/...,
   /Users/...), a temporary folder (/tmp/tmp...), a virtual environment (.venv/, site-packages) or this checkout's own
   absolute path. Such a path says nothing to a reader and goes stale on the next machine.
2. Every committed `--help` output of a command (a `usage: gan_...` block) is what the installed command prints now,
   line for line as far as the committed output goes (it may be cut short).
Prints one line per problem and exits 1 if there is any."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = re.compile(r'(/home/[\w.-]+|/root/|/Users/[\w.-]+|/tmp/tmp\w+|\.venv/|site-packages|' + re.escape(str(ROOT)) + ')')

def outputs(nb:Path): # (cell number, text) of every text output of a notebook
    for i, c in enumerate(json.loads(nb.read_text())['cells']):
        for o in c.get('outputs', []):
            for t in [o.get('text', '')] + [v for k, v in o.get('data', {}).items() if k.startswith('text/')] + [o.get('evalue', '')] + o.get('traceback', []):
                yield i, ''.join(t) if isinstance(t, list) else t

def main():
    bad, helps = [], {}
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for i, t in outputs(nb):
            for m in set(PATHS.findall(t)): bad.append(f'{nb.relative_to(ROOT)} cell {i}: a machine path in the output ({m}): shorten it before printing, e.g. with .replace(str(folder), "…")')
            for m in re.finditer(r'^usage: (gan_\w+)\b.*?(?=\n\(|\Z)', t, re.S | re.M): helps.setdefault(m.group(1), []).append((f'{nb.relative_to(ROOT)} cell {i}', m.group(0)))
    for m in set(PATHS.findall((ROOT/'README.md').read_text())): bad.append(f'README.md: a machine path ({m})')
    for cmd, shown in helps.items():
        if not shutil.which(cmd): bad.append(f'{cmd} is not installed: pip install -e . first'); continue
        now = subprocess.run([cmd, '--help'], capture_output=True, text=True, env=os.environ).stdout
        for where, text in shown:
            lines = text.rstrip('\n').split('\n')
            first = next((j for j, (a, b) in enumerate(zip(lines[:-1], now.split('\n'))) if a != b), None) # the last committed line may be cut short
            if first is not None: bad.append(f'{where}: the committed `{cmd} --help` differs from the installed command at line {first + 1} ({lines[first][:60]!r}): run the notebook again')
    for b in bad: print(b)
    print(f'committed outputs: {len(bad)} problem(s); {sum(len(v) for v in helps.values())} --help output(s) checked against the commands')
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
