"""Images/s of the `mlp` preset on 1 and 2 CPU threads, on a quiet machine and beside one busy process.

Why `TrainConfig.threads` defaults to 1: on an idle machine more threads train faster, but when another program keeps
a core busy, torch's threads wait for each other at every operation and the run slows down many times. Each setting
trains the same seeded run for `--seconds` (after a few warm-up steps), alternating 1 and 2 threads `--rounds` times;
the busy neighbour is a second Python process spinning in a loop.

    python bench/bench_threads.py [--seconds 8] [--rounds 2]
"""
import argparse, subprocess, sys
from gan_tutorial.data import mnist_sample
from gan_tutorial.training import GAN, fit

def images_per_s(x, threads, seconds):
    g = fit(GAN(threads=threads, seed=0), x, steps=20, progress=False) # warm-up
    return fit(g, x, seconds=seconds, progress=False).images_per_s

def bench(seconds=8., rounds=2):
    x, res = mnist_sample().x, {}
    for load in ('quiet', 'one busy core'):
        busy = subprocess.Popen([sys.executable, '-c', 'while True: pass']) if load != 'quiet' else None
        try:
            for _ in range(rounds):
                for t in (1, 2): res.setdefault((load, t), []).append(images_per_s(x, t, seconds))
        finally:
            if busy: busy.kill()
    print(f"{'machine':>14} {'1 thread':>10} {'2 threads':>10} {'2 / 1':>7}")
    for load in ('quiet', 'one busy core'):
        one, two = (max(res[(load, t)]) for t in (1, 2))
        print(f"{load:>14} {one:10,.0f} {two:10,.0f} {two/one:7.2f}")
    print(f"images/s of the mlp preset, best of {rounds} rounds of {seconds:.0f} s each")
    return res

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=8, help='training time per measurement')
    p.add_argument('--rounds', type=int, default=2, help='measurements per setting (the best is printed)')
    a = p.parse_args()
    bench(a.seconds, a.rounds)
