"""Does D overfit the 4,000 training digits? D's verdict on training digits against held-out test digits, over a long run.

    python bench/bench_overfit.py [--at 30,60,120,300,600] [--variants default,conv] [--seeds 0] [--jobs 2] [--json FILE]

Each run trains on one thread in its own process (`--jobs` side by side) and pauses at each time in `--at` (training
time only) to measure, with D in evaluation mode: the mean of D's logit and of D(x) on 1,000 training digits and on the
1,000 held-out test digits, whose gap is a ready-made overfitting signal (a D that generalises scores both alike), and
the FID of 1,000 samples of the generator a user gets, against the test digits, with the package's classifier (never
trained against). Prints one row per run and time."""
import argparse, json, os
from concurrent.futures import ProcessPoolExecutor

def run(variant:str, seed:int, at:list)->dict:
    import torch
    torch.set_num_threads(1)
    from gan_tutorial.data import mnist_sample
    from gan_tutorial.training import GAN, fit
    from gan_tutorial import metrics
    x, test, clf = mnist_sample().x, mnist_sample(train=False).x, metrics.load_classifier()
    gan = GAN(seed=seed, **({} if variant == 'default' else dict(architecture=variant)))
    res, done = [], 0.
    for t in at:
        fit(gan, x, seconds=t - done, progress=False); done = t
        D, G = gan.D, gan.sampler
        modes = D.training, G.training; D.eval(); G.eval()
        with torch.no_grad():
            lt, le = D(x[:1000]), D(test)
            s = G(G.sample_z(1000, torch.Generator().manual_seed(0))).clamp(-1, 1)
            lf = D(s)
        D.train(modes[0]); G.train(modes[1])
        res.append(dict(t=t, step=gan.step, logit_train=lt.mean().item(), logit_test=le.mean().item(), logit_fake=lf.mean().item(),
                        d_train=torch.sigmoid(lt).mean().item(), d_test=torch.sigmoid(le).mean().item(), fid=metrics.fid(s, test, clf)))
    return dict(variant=variant, seed=seed, results=res)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--at', default='30,60,120,300,600'); p.add_argument('--variants', default='default,conv')
    p.add_argument('--seeds', default='0'); p.add_argument('--jobs', type=int, default=2); p.add_argument('--json')
    a = p.parse_args()
    at = [float(t) for t in a.at.split(',')]
    jobs = [(v, int(s)) for v in a.variants.split(',') for s in a.seeds.split(',')]
    print(f"{len(jobs)} runs of {at[-1]:.0f} s, {a.jobs} at a time, on {os.cpu_count()} cores", flush=True)
    with ProcessPoolExecutor(a.jobs) as ex: runs = list(ex.map(run, *zip(*jobs), [at]*len(jobs)))
    print(f"{'variant':<9}{'seed':>5}{'time s':>8}{'step':>8}{'logit train':>13}{'logit test':>12}{'gap':>7}{'logit fake':>12}{'D(x) train':>12}{'D(x) test':>11}{'FID':>7}")
    for r in runs:
        for m in r['results']:
            print(f"{r['variant']:<9}{r['seed']:>5}{m['t']:>8.0f}{m['step']:>8,}{m['logit_train']:>13.2f}{m['logit_test']:>12.2f}{m['logit_train'] - m['logit_test']:>7.2f}"
                  f"{m['logit_fake']:>12.2f}{m['d_train']:>12.3f}{m['d_test']:>11.3f}{m['fid']:>7.1f}")
    if a.json:
        with open(a.json, 'w') as f: json.dump(dict(at=at, runs=runs), f, indent=1)

if __name__ == '__main__': main()
