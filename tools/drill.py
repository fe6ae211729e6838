"""The reliability drill: the installed commands tried as a hostile user and as an unlucky one would.

    python tools/drill.py [--repeat 3] [--keep]

Runs `gan_train`, `gan_sample` and `gan_evaluate` (the console scripts of the active environment) on bad flags,
missing, foreign and crafted files, stop signals of every kind (Ctrl-C, twice within 20 ms, SIGTERM, SIGHUP with the
terminal open and with it closed, kill -9), two runs into one folder, a run started over a finished one, exact resume,
and torchrun; each case in a fresh process with a time limit. A case passes when the command does what it promises:
a refusal exits non-zero with its reason on one line (the last line of stderr, `gan_xxx: error: ...`); a stop saves a
checkpoint that resumes; nothing prints a traceback, dies of a signal it was not sent, or hangs. Ends with one line:
`N cases: T tracebacks, C crashes, H hangs, W wrong outcomes`, and exit status 1 if any of those is not 0.
Takes about 10 minutes on 2 cores. Not part of `nbdev_test`: the chapters test each of these behaviours on its own."""
import argparse, csv, os, pty, re, shutil, signal, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ENV = {**os.environ, 'MPLBACKEND': 'Agg', 'PYTHONUNBUFFERED': '1'}
LIMIT = 120 # seconds before a case counts as a hang
LAST_LINE = re.compile(r'^gan_(train|sample|evaluate): (error|interrupted)')
results = [] # (group, name, verdict, detail)

def exe(name): # a console script of this environment
    p = Path(sys.executable).parent/name
    return str(p) if p.exists() else shutil.which(name) or sys.exit(f"drill: {name} is not installed: pip install -e . first")

def run(args, timeout=LIMIT, **kw):
    "Run a command; (returncode or 'hang', stdout + stderr, stderr)."
    try: r = subprocess.run([exe(args[0]), *map(str, args[1:])], capture_output=True, text=True, timeout=timeout, env=ENV, **kw)
    except subprocess.TimeoutExpired as e: return 'hang', (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or ''), ''
    return r.returncode, r.stdout + r.stderr, r.stderr

def judge(group, name, rc, out, want): # want: 'refused', 'ok'
    "Record one case's verdict: traceback, crash, hang, wrong, or ok."
    lines = [l for l in out.strip().splitlines() if l.strip()]
    if rc == 'hang': v = 'hang'
    elif 'Traceback (most recent call last)' in out: v = 'traceback'
    elif rc < 0 or rc >= 128 and rc not in (129, 130, 143): v = 'crash'
    elif want == 'refused' and (rc == 0 or not lines or not LAST_LINE.match(lines[-1])): v = 'wrong'
    elif want == 'ok' and rc != 0: v = 'wrong'
    else: v = 'ok'
    results.append((group, name, v, f"exit {rc}: {lines[-1] if lines else '(no output)'}"))
    return v

def refused(group, cases, workers=2):
    "Run `(name, args)` cases that must each be refused in one line, two at a time."
    def one(c):
        name, args = c
        rc, out, _ = run(args)
        return name, rc, out
    with ThreadPoolExecutor(workers) as ex:
        for name, rc, out in ex.map(one, cases): judge(group, name, rc, out, 'refused')

def bad_flags(d, good):
    t, s, e = 'gan_train', 'gan_sample', 'gan_evaluate'
    cases = [(f"{t} {' '.join(map(str, a))}", [t, '--out', d/f'never-{i}', *a]) for i, a in enumerate((
        ('--epochs', '0'), ('--epochs', '-1'), ('--epochs', 'nan'), ('--epochs', 'inf'), ('--seconds', '0'), ('--seconds', '-5'),
        ('--seconds', 'nan'), ('--steps', '0'), ('--steps', 'abc'), ('--bs', '0'), ('--bs', '-1'), ('--bs', '65536'), ('--bs', '1e3'),
        ('--bs', '3000000000'), ('--lr', '1e10'), ('--lr', '-1'), ('--lr', 'nan'), ('--k', '0'), ('--k', '3000'), ('--nz', '0'),
        ('--nz', '100000'), ('--architecture', 'nope'), ('--dataset', 'nope'), ('--optimizer', 'nope'), ('--loss', 'nope'),
        ('--device', 'nope'), ('--amp', 'nope'), ('--ema', '2'), ('--label_smoothing', '1.5'), ('--save_every', '0'),
        ('--checkpoint_seconds', '0'), ('--seed', '-1'), ('--seed', str(2**70)), ('--foo', '1'), ('--steps', '5', '--until_step', '9'),
        ('--dataset', 'mnist', '--root', str(d/'nowhere')), ('--resume', ''), ('--resume', str(d/'missing.pt')), ('--resume', str(d)),
        ('--resume', good, '--overwrite'), ('--resume', good, '--bs', '32')))]
    cases += [(f"{t} --out ''", [t, '--out', '']), (f"{t} --out a-file", [t, '--out', d/'a-file.txt']),
              (f"{t} --out unwritable", [t, '--out', '/proc/gan-drill'])]
    cases += [(f"{s} {' '.join(map(str, a))}", [s, *a]) for a in (
        (d/'missing.pt',), (d,), (d/'a-file.txt',), (good, '--n', '0'), (good, '--n', '1000000000'), (good, '--out', d/'x.txt'),
        (good, '--out', '/proc/gan-drill/x.png'), (good, '--interpolate', '--frames', '1'), (good, '--interpolate', '--frames', '20000'),
        (good, '--seed', '-1'), (good, '--label', '3'), (good, '--nrow', '0'), (good, '--n', '100000', '--out', d/'big.png'))]
    cases += [(f"{e} {' '.join(map(str, a))}", [e, *a]) for a in (
        (d/'missing.pt',), (d/'a-file.txt',), (d/'junk.npy',), (d/'wrong-shape.npy',), (d/'folder.npy',), (good, '--n', '1'),
        (good, '--seed', '-1'), (good, '--n', '10000000'))]
    return [(n.replace(str(d), 'D'), a) for n, a in cases]

def crafted(d, good):
    "One checkpoint per way a file that loads can still be wrong; name -> path."
    import torch
    sd0 = lambda: torch.load(good, weights_only=True)
    def adam_3(sd): sd['opt_g']['state'][0]['exp_avg'] = torch.zeros(3)
    def ints(sd): sd['G'] = {k: v.to(torch.int64) for k, v in sd['G'].items()}
    changes = {'G_ema a string': lambda sd: sd.__setitem__('G_ema', 'x'), 'rng a list': lambda sd: sd.__setitem__('rng', [1, 2]),
               'torch_rng short': lambda sd: sd.__setitem__('torch_rng', sd['torch_rng'][:10]),
               'history missing': lambda sd: sd.pop('history'), 'samples a dict': lambda sd: sd.__setitem__('samples', {}),
               'fixed_z too wide': lambda sd: sd.__setitem__('fixed_z', torch.zeros(64, 999)),
               'config huge images': lambda sd: sd['config'].__setitem__('nz', 10**6),
               'Adam moment of 3 floats': adam_3, 'integer weights': ints}
    out = {}
    for name, change in changes.items():
        sd = sd0(); change(sd); out[name] = d/f"crafted-{len(out)}.pt"; torch.save(sd, out[name])
    b = bytearray(good.read_bytes()); m = len(b)//2; b[m:m + 64] = bytes(x ^ 0xFF for x in b[m:m + 64])
    out['64 bytes flipped'] = d/'crafted-flipped.pt'; out['64 bytes flipped'].write_bytes(bytes(b))
    out['a PNG renamed .pt'] = d/'crafted-png.pt'; shutil.copy(d/'x.png', out['a PNG renamed .pt'])
    out['empty file'] = d/'crafted-empty.pt'; out['empty file'].write_bytes(b'')
    return out

def fifo_case(d):
    "A named pipe given as a checkpoint must be refused at once, not read forever."
    f = d/'fifo.pt'; os.mkfifo(f)
    for cmd in ('gan_train --resume', 'gan_sample', 'gan_evaluate'):
        args = cmd.split() + [f]
        rc, out, _ = run(args, timeout=30)
        judge('files', f"{cmd} a named pipe", rc, out, 'refused')

def started(out, proc, timeout=60):
    "Wait until a run has trained a few steps (its history file has rows) or the process ended."
    t0 = time.time()
    while time.time() - t0 < timeout and proc.poll() is None:
        if (out/'last.pt').exists(): return True
        time.sleep(0.2)
    return proc.poll() is None

def stop_case(d, name, send, i):
    "Start a run in a terminal (a pty), stop it as `send` does, and check it saved a checkpoint that resumes."
    import threading
    out = d/f"stop-{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{i}"
    master, slave = pty.openpty()
    proc = subprocess.Popen([exe('gan_train'), '--out', out, '--seconds', '90', '--checkpoint_seconds', '1'],
                            stdin=slave, stdout=slave, stderr=slave, env=ENV, start_new_session=True)
    os.close(slave)
    seen = []
    def drain(): # read the terminal as a terminal would, so the run never blocks on a full buffer
        try:
            while chunk := os.read(master, 65536): seen.append(chunk)
        except OSError: pass
    threading.Thread(target=drain, daemon=True).start()
    if not started(out, proc): judge('stops', f"{name} #{i}", proc.wait(), b''.join(seen).decode(errors='replace'), 'ok'); return
    time.sleep(1)
    closed = send(proc, master) # True when the terminal was closed first
    try: rc = proc.wait(LIMIT)
    except subprocess.TimeoutExpired: proc.kill(); judge('stops', f"{name} #{i}", 'hang', '', 'ok'); return
    time.sleep(0.2); text = b''.join(seen).decode(errors='replace')
    if not closed:
        try: os.close(master)
        except OSError: pass
    if name == 'kill -9': rc = 0 if rc == -9 else rc # the one signal no program can catch: what counts is the checkpoint it left
    elif rc in (129, 130, 143): rc = 0 if closed or 'saved' in text else 1 # a closed terminal shows nothing: the resume below is the proof
    if judge('stops', f"{name} #{i}", rc, text, 'ok') != 'ok': return
    rc, o, _ = run(['gan_train', '--resume', out/'last.pt', '--steps', '5', '--quiet'])
    judge('stops', f"{name} #{i}: resume", rc, o, 'ok')
    temps = [p.name for p in out.glob('.*.tmp')]
    if temps: results.append(('stops', f"{name} #{i}: temp files", 'wrong', f"left after the resume: {temps}"))
    shutil.rmtree(out, ignore_errors=True)

def sig(s, delay=0): # stop a run with signal s (twice if delay)
    def send(proc, master):
        os.kill(proc.pid, s)
        if delay: time.sleep(delay); os.kill(proc.pid, s)
        return False
    return send

def hup_closed(proc, master): # the terminal goes away (an ssh drop): the pty closes, then SIGHUP
    os.close(master); time.sleep(0.1); os.kill(proc.pid, signal.SIGHUP)
    return True

STOPS = {'Ctrl-C': sig(signal.SIGINT), 'Ctrl-C twice in 20 ms': sig(signal.SIGINT, 0.02), 'SIGTERM': sig(signal.SIGTERM),
         'SIGHUP': sig(signal.SIGHUP), 'SIGHUP, terminal closed': hup_closed, 'kill -9': sig(signal.SIGKILL)}

def folders(d):
    "One process owns a run folder; a finished run is never restarted over; --resume auto continues."
    out = d/'owned'
    first = subprocess.Popen([exe('gan_train'), '--out', out, '--seconds', '20', '--quiet'], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    rc, o, _ = run(['gan_train', '--out', out, '--steps', '5'])
    judge('folders', 'a second run into a folder in use', rc, o, 'refused')
    so, se = first.communicate(timeout=LIMIT)
    judge('folders', 'the first run, undisturbed', first.returncode, so + se, 'ok')
    rc, o, _ = run(['gan_train', '--out', out, '--steps', '5'])
    judge('folders', 'a new run into a finished one', rc, o, 'refused')
    step = int(list(csv.DictReader(open(out/'history.csv')))[-1]['step'])
    rc, o, _ = run(['gan_train', '--out', out, '--resume', 'auto', '--steps', '5', '--quiet'])
    step2 = int(list(csv.DictReader(open(out/'history.csv')))[-1]['step'])
    judge('folders', f'--resume auto continues (step {step} -> {step2})', rc if step2 == step + 5 else 1, o, 'ok')
    rc, o, _ = run(['gan_train', '--out', d/'fresh', '--resume', 'auto', '--steps', '5', '--quiet'])
    judge('folders', '--resume auto on an empty folder starts a run', rc, o, 'ok')

def exact_resume(d, args=(), label='default'):
    "200 steps straight == 100 + resume 100, every recorded number of every step."
    a, b = d/f'straight-{label}', d/f'split-{label}'
    r1 = run(['gan_train', '--out', a, '--steps', '200', '--seed', '5', '--quiet', *args])
    r2 = run(['gan_train', '--out', b, '--steps', '100', '--seed', '5', '--quiet', *args])
    r3 = run(['gan_train', '--resume', b/'last.pt', '--steps', '100', '--quiet'])
    for r in (r1, r2, r3):
        if judge('resume', f'{label}: a run', r[0], r[1], 'ok') != 'ok': return
    same = (a/'history.csv').read_text() == (b/'history.csv').read_text()
    results.append(('resume', f'{label}: 200 straight == 100 + 100', 'ok' if same else 'wrong', 'history.csv identical' if same else 'history differs'))

def disk_full(d):
    "Writing onto a full disk: one line, the old files intact. Needs a small filesystem (root's tmpfs mount)."
    mnt = d/'small'; mnt.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', str(mnt)], capture_output=True).returncode:
        results.append(('disk', 'disk full', 'skipped', 'no small filesystem (mount -t tmpfs needs root)')); return
    try:
        rc, o, _ = run(['gan_train', '--out', mnt/'run', '--steps', '50', '--quiet'])
        judge('disk', 'gan_train onto a 3 MB disk', rc, o, 'refused')
        rc, o, _ = run(['gan_sample', d/'good'/'last.pt', '--n', '100000', '--out', mnt/'many.npy'])
        judge('disk', 'gan_sample 100,000 onto a 3 MB disk', rc, o, 'refused')
        left = [p.name for p in mnt.rglob('.*.tmp')]
        results.append(('disk', 'no partial files left', 'wrong' if left else 'ok', str(left or 'none')))
    finally: subprocess.run(['umount', str(mnt)])

def torchrun(d):
    "The README's torchrun command, and a SIGTERM to torchrun (its own traceback after ours is torchrun's, not counted)."
    tr = Path(sys.executable).parent/'torchrun'
    if not tr.exists(): results.append(('torchrun', 'torchrun', 'skipped', 'not installed')); return
    cmd = [str(tr), '--standalone', '--nproc_per_node', '2', '-m', 'gan_tutorial', 'train']
    r = subprocess.run(cmd + ['--seconds', '10', '--out', d/'tr', '--quiet'], capture_output=True, text=True, env=ENV, timeout=LIMIT)
    judge('torchrun', 'README torchrun command', r.returncode, r.stdout + r.stderr, 'ok')
    p = subprocess.Popen(cmd + ['--seconds', '60', '--out', d/'tr2', '--quiet', '--checkpoint_seconds', '2'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    started(d/'tr2', p); time.sleep(2); p.send_signal(signal.SIGTERM)
    so, se = p.communicate(timeout=LIMIT)
    ours = se.split('Traceback')[0] # what the package printed, before torchrun reports the signal it got
    ok = 'saved' in ours and 'Resume with' in ours
    results.append(('torchrun', 'SIGTERM to torchrun: saved, resume line', 'ok' if ok else 'wrong',
                    f"exit {p.returncode}; torchrun's own traceback follows: {'Traceback' in se}"))
    rc, o, _ = run(['gan_train', '--resume', d/'tr2'/'last.pt', '--steps', '5', '--quiet'])
    judge('torchrun', 'its checkpoint resumes in one process', rc, o, 'ok')

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeat', type=int, default=3, help='runs of each stop signal')
    ap.add_argument('--keep', action='store_true', help='keep the drill folder')
    ap.add_argument('--only', help='comma-separated groups: flags,files,stops,folders,resume,disk,torchrun')
    a = ap.parse_args()
    groups = set(a.only.split(',')) if a.only else {'flags', 'files', 'stops', 'folders', 'resume', 'disk', 'torchrun'}
    d = Path(tempfile.mkdtemp(prefix='gan-drill-')); t0 = time.time()
    try:
        rc, o, _ = run(['gan_train', '--out', d/'good', '--steps', '20', '--quiet'])
        if rc != 0: sys.exit(f"drill: a plain run failed: {o}")
        good = d/'good'/'last.pt'
        run(['gan_sample', good, '--out', d/'x.png'])
        import numpy as np
        (d/'a-file.txt').write_text('hello'); (d/'junk.npy').write_bytes(os.urandom(500)); (d/'folder.npy').mkdir()
        np.save(d/'wrong-shape.npy', np.zeros((10, 3, 5), np.float32))
        if 'flags' in groups: refused('flags', bad_flags(d, good))
        if 'files' in groups:
            cases = [(f"{c} {n}", [*c.split(), p]) for n, p in crafted(d, good).items() for c in ('gan_train --resume', 'gan_sample', 'gan_evaluate')]
            refused('files', cases); fifo_case(d)
        if 'stops' in groups:
            for i in range(1, a.repeat + 1):
                for name, send in STOPS.items(): stop_case(d, name, send, i)
        if 'folders' in groups: folders(d)
        if 'resume' in groups: exact_resume(d); exact_resume(d, ('--conditional',), 'conditional')
        if 'disk' in groups: disk_full(d)
        if 'torchrun' in groups: torchrun(d)
    finally:
        if not a.keep: shutil.rmtree(d, ignore_errors=True)
    w = max(len(n) for _, n, _, _ in results)
    for g, n, v, detail in results: print(f"{v:<9} {g:<8} {n:<{w}}  {detail[:150]}")
    count = lambda v: sum(r[2] == v for r in results)
    print(f"drill took {time.time() - t0:.0f} s")
    print(f"{len(results)} cases: {count('traceback')} tracebacks, {count('crash')} crashes, {count('hang')} hangs, {count('wrong')} wrong outcomes"
          + (f", {count('skipped')} skipped" if count('skipped') else ''))
    sys.exit(1 if any(count(v) for v in ('traceback', 'crash', 'hang', 'wrong')) else 0)

if __name__ == '__main__': main()
