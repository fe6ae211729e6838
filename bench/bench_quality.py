"""Sample quality against wall-clock time: the package FID and class coverage of each preset, of each ablation variant
and of the conventional PyTorch GAN loop, over several seeds, on the embedded MNIST sample, on the CPU.

Every run trains in its own process on one thread (`--jobs` runs side by side, one per core). The clock counts training
only: at each time in `--at` the run pauses, draws 1,000 samples with a fixed seed from the generator it would hand a
user (G's weight average when it keeps one), and measures them against the 1,000 held-out test digits with
`gan_tutorial.metrics` (FID on the package's digit classifier, classes covered). Nothing is trained against that
classifier: it only measures.

Variants (`--variants`, comma separated):
  default                the package's defaults: `GAN()` (what `gan_train` runs)
  PRESET                 `GAN(architecture=PRESET)` with its preset learning rate, R1 weight and G's weight average: conv, mlp
  PRESET:old             the defaults before the ablation: Adam lr 2e-4 (DCGAN's), no weight average, no R1
  PRESET:lr              the preset learning rate, no weight average, no R1
  PRESET:r1              + the R1 penalty (gamma/2)·E‖∇D(x)‖² on real images (Mescheder et al. 2018), gamma = 1: `r1=1.`
                         (the presets' default since 'Why longer stops helping'; PRESET:r1=0 is the preset without it)
  PRESET:diffaug         + DiffAugment (Zhao et al. 2020): random translation by up to 1/8 of the size and a cutout of half
                         the size, applied to every image D sees (real and fake) in both players' steps
  PRESET:ttur            + two time-scales (Heusel et al. 2017): D's learning rate doubled, G's halved
  PRESET:FIELD=VALUE     any other TrainConfig setting, e.g. mlp:r1=0 or default:conditional=True (extras chain: mlp:r1=1:lr=0.002)
  conventional           the conventional loop of bench_mlp.py (DataLoader, MLP 128-256-512-1024 / 512-256, BCELoss, lr 2e-4)

    python bench/bench_quality.py --at 30,60 [--seeds 0,1,2] [--variants default,mlp,conventional] [--jobs 2] [--json FILE]
    python bench/bench_quality.py --seconds 60     # the same as --at 60

It prints one row per variant and time: the median FID over seeds with the range, the mean with its 95 % confidence
interval (Student's t over the seeds), the median number of classes covered (of 10) and the median training images per
second. A conditional variant samples the ten classes in turn. `--json` also writes every run's numbers, and
`--grids FILE` the 64 fixed-noise samples of each run at each time (uint8), for the figures of the training chapter.
"""
import argparse, json, os, statistics, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

def _augment(x):
    "DiffAugment's translation (up to 1/8 of the size, padded with the background) and cutout (a square of half the size)."
    import torch, torch.nn.functional as F
    n, h = len(x), x.shape[-1]
    s = h//8
    xp = F.pad(x, (s, s, s, s), value=-1.)
    ii, jj = torch.randint(0, 2*s + 1, (n,)), torch.randint(0, 2*s + 1, (n,))
    rows, cols = ii[:, None] + torch.arange(h), jj[:, None] + torch.arange(h)
    x = xp[torch.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
    cy, cx = torch.randint(0, h, (n, 1, 1)), torch.randint(0, h, (n, 1, 1))
    yy, xx = torch.arange(h)[None, :, None], torch.arange(h)[None, None, :]
    hole = ((yy - cy).abs() < h//4) & ((xx - cx).abs() < h//4)
    return torch.where(hole[:, None], torch.full_like(x, -1.), x)

def _patch_steps(extra:str):
    "Replace the package's d_step / g_step with versions that add DiffAugment (the ablation's variant)."
    import torch
    import gan_tutorial.training as T
    from gan_tutorial.intro import frozen
    aug = _augment if extra == 'diffaug' else (lambda x: x)
    def d_step(gan, x, y=None): # the package's d_step (one process), with R1 or DiffAugment added
        m = len(x)
        yf, z = gan.fake_labels(m), gan.G.sample_z(m, gan.rng)
        with torch.no_grad(): fake = gan.G(z, yf)
        real_logits, fake_logits = gan.D(aug(x), y), gan.D(aug(fake), yf)
        loss = gan.loss.d(real_logits, fake_logits, gan.cfg.label_smoothing)
        gan.opt_d.zero_grad(set_to_none=True); loss.backward(); gan.opt_d.step()
        return loss.detach(), torch.sigmoid(real_logits.detach()).mean(), torch.sigmoid(fake_logits.detach()).mean()
    def g_step(gan, m): # the package's g_step (one process), DiffAugment on what D sees
        yf, z = gan.fake_labels(m), gan.G.sample_z(m, gan.rng)
        with frozen(gan.D):
            fake_logits = gan.D(aug(gan.G(z, yf)), yf)
            loss = gan.loss.g(fake_logits)
            gan.opt_g.zero_grad(set_to_none=True); loss.backward(); gan.opt_g.step()
        return loss.detach(), torch.sigmoid(fake_logits.detach()).mean()
    T.d_step, T.g_step = d_step, g_step

def run(variant:str, seed:int, at:list)->dict:
    "Train one variant with one seed, pausing at each time in `at` to measure; returns the measurements."
    import torch
    torch.set_num_threads(1)
    from gan_tutorial.data import mnist_sample, to_uint8
    from gan_tutorial.training import GAN, fit
    from gan_tutorial.config import preset_lr, TrainConfig
    from gan_tutorial import metrics
    data, test, clf = mnist_sample(), mnist_sample(train=False).x, metrics.load_classifier()
    if variant == 'conventional':
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_mlp import Conventional
        torch.manual_seed(seed)
        conv = Conventional()
        G, train, n_img = conv.G, lambda secs: conv.run(secs), 0
        steps = lambda: None # the conventional loop counts images, not steps
        sample = lambda n, gen: G(torch.randn(n, 100, generator=gen))
    else:
        arch, *extras = variant.split(':')
        kw = {} if arch == 'default' else dict(architecture=arch)
        for e in extras:
            if e in ('old', 'lr'): kw['ema'], kw['r1'] = 0., 0.
            if e == 'old': kw['lr'] = 2e-4
            if e == 'r1': kw['r1'] = 1.
            if e == 'diffaug': _patch_steps(e)
            if '=' in e:
                k, v = e.split('=', 1)
                kw[k] = v == 'True' if v in ('True', 'False') else type(getattr(TrainConfig, k))(v) # e.g. r1=0 is a float
        gan = GAN(seed=seed, **kw)
        if 'ttur' in extras:
            lr = preset_lr(gan.cfg)
            for g in gan.opt_d.param_groups: g['lr'] = 2*lr
            for g in gan.opt_g.param_groups: g['lr'] = lr/2
        G, steps = gan.sampler, lambda: gan.step
        def train(secs):
            fit(gan, data, seconds=secs, progress=False)
            return gan.images_per_s*gan.elapsed, gan.elapsed
        labels = lambda n: torch.arange(n) % 10 if gan.cfg.conditional else None # a conditional G draws the ten classes in turn
        sample = lambda n, gen: G(G.sample_z(n, gen), labels(n))
    res, done, n_img, t_img = [], 0., 0, 0.
    for t in at:
        n, dt = train(t - done); done = t; n_img += n; t_img += dt
        was = G.training; G.eval()
        with torch.no_grad(): s = sample(1000, torch.Generator().manual_seed(0)).clamp(-1, 1)
        G.train(was)
        res.append(dict(t=t, fid=metrics.fid(s, test, clf), n_classes=metrics.class_coverage(s, clf)['n_classes'],
                        images_per_s=n_img/max(t_img, 1e-9), steps=steps(), grid=to_uint8(s[:64]).tolist()))
    return dict(variant=variant, seed=seed, results=res)

T975 = {2: 12.71, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447, 8: 2.365, 9: 2.306, 10: 2.262} # Student's t, 97.5 % point, by sample size

def mean_ci(v:list)->tuple:
    "Mean and the half-width of its 95 % confidence interval (Student's t; 0 for one value)."
    m = statistics.mean(v)
    return m, (T975.get(len(v), 1.96)*statistics.stdev(v)/len(v)**.5 if len(v) > 1 else 0.)

def cpu_info(key:str)->str: # a field of /proc/cpuinfo (its first processor's), or '' where there is none
    try: return next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith(key)), '')
    except OSError: return ''

def cpu_model()->str:
    "The CPU's model name, as the records and the timeline name it."
    import platform
    return cpu_info('model name') or platform.processor() or platform.machine()

def cpu()->str:
    "The CPU as the records name it: model and widest vector extension, and AMX (bf16 is fast only with AVX-512 BF16 or AMX)."
    flags = cpu_info('flags').split()
    ext = next((n for f, n in (('avx512_bf16', 'AVX-512 BF16'), ('avx512f', 'AVX-512'), ('avx2', 'AVX2')) if f in flags), 'no AVX2')
    return f"{cpu_model()}, {ext}{', AMX' if 'amx_tile' in flags else ''}"

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--seconds', type=float, help='one budget: the same as --at SECONDS')
    p.add_argument('--at', default='60', help='comma-separated training times (s) at which to measure')
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--variants', default='default,conv,mlp,conventional')
    p.add_argument('--jobs', type=int, default=2, help='runs side by side, one thread each (at most one per core)')
    p.add_argument('--json', help='write every run\'s numbers to this file')
    p.add_argument('--grids', help='write the 64-sample grids (uint8) of every run at every time to this .pt file')
    a = p.parse_args()
    at = [a.seconds] if a.seconds else sorted(float(t) for t in a.at.split(','))
    seeds, variants = [int(s) for s in a.seeds.split(',')], a.variants.split(',')
    jobs = [(v, s) for v in variants for s in seeds]
    print(f"{len(jobs)} runs of {at[-1]:.0f} s, {a.jobs} at a time, one thread each, on {os.cpu_count()} cores ({cpu()})", flush=True)
    t0, runs = time.time(), []
    with ProcessPoolExecutor(a.jobs, max_tasks_per_child=1) as ex: # a fresh process per run: no state leaks between variants
        for r in ex.map(run, [v for v, _ in jobs], [s for _, s in jobs], [at]*len(jobs)):
            runs.append(r)
            print(f"  {r['variant']:<22} seed {r['seed']}: " + ', '.join(f"{m['t']:.0f} s FID {m['fid']:.1f} ({m['n_classes']}/10)" for m in r['results']), flush=True)
    w = max(16, *(len(v) + 2 for v in variants))
    print(f"\n{'variant':<{w}}{'time s':>7}{'FID median':>12}{'FID range':>16}{'mean ± 95% CI':>16}{'classes':>9}{'images/s':>10}{'steps':>9}")
    for v in variants:
        rs = [r for r in runs if r['variant'] == v]
        for i, t in enumerate(at):
            f = [r['results'][i]['fid'] for r in rs]
            mu, ci = mean_ci(f)
            print(f"{v:<{w}}{t:>7.0f}{statistics.median(f):>12.1f}{f'{min(f):.1f}-{max(f):.1f}':>16}{f'{mu:.1f} ± {ci:.1f}':>16}"
                  f"{statistics.median(r['results'][i]['n_classes'] for r in rs):>9.0f}{statistics.median(r['results'][i]['images_per_s'] for r in rs):>10,.0f}"
                  f"{statistics.median(r['results'][i].get('steps') or 0 for r in rs):>9,.0f}")
    print(f"\n{len(runs)} runs in {time.time() - t0:.0f} s of wall time")
    if a.grids:
        import torch
        torch.save({f"{r['variant']}/{r['seed']}/{m['t']:.0f}": torch.tensor(m['grid'], dtype=torch.uint8) for r in runs for m in r['results']}, a.grids)
    for r in runs:
        for m in r['results']: del m['grid']
    if a.json: Path(a.json).write_text(json.dumps(dict(at=at, seeds=seeds, variants=variants, cores=os.cpu_count(), cpu=cpu(), threads=1, runs=runs), indent=1))

if __name__ == '__main__': main()
