"""The default minute as a timeline: frames of the fixed-noise 8×8 grid and their FID, for the slider on the training page.

    python bench/timeline.py [--at 2,4,6,...] [--seed 0] [--out bench/results/timeline]

Trains `GAN()` (what `gan_train` runs) on one thread with `bench_quality.run`, whose clock counts training only: at each
time in `--at` the run pauses and draws 1,000 samples with a fixed seed from the generator it would hand a user, measures
their FID and class coverage against the 1,000 held-out test digits with the package's classifier (which is never
trained against), and keeps the first 64 as that moment's frame. Writes OUT.webp (the frames side by side, each an 8×8
grid of 28-pixel digits with 2-pixel gaps) and OUT.json (times, steps per second, FID, classes, the CPU it ran on),
which nbs/04_training.ipynb shows as a slider."""
import argparse, json, sys, time
from pathlib import Path

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--at', default='1,2,3,4,5,6,8,10,12,15,20,25,30,40,50,60', help='comma-separated training times (s)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'timeline'))
    a = p.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_quality import run, cpu_model
    import torch
    from gan_tutorial.data import image_grid
    at = [float(t) for t in a.at.split(',')]
    t0 = time.time()
    r = run('default', a.seed, at)
    grids = [image_grid(torch.tensor(m['grid'], dtype=torch.uint8).view(64, 1, 28, 28), nrow=8) for m in r['results']]
    strip = torch.cat(grids, dim=-1) # frames side by side, grey shown as RGB by image_grid: keep one channel
    from PIL import Image
    Image.fromarray((strip[0]*255).round().to(torch.uint8).numpy(), mode='L').save(a.out + '.webp', quality=80) # a third of the PNG's size: early frames are noise
    frames = [dict(t=m['t'], fid=round(m['fid'], 2), n_classes=m['n_classes']) for m in r['results']]
    meta = dict(frames=frames, frame_width=grids[0].shape[-1], frame_height=grids[0].shape[-2], seed=a.seed,
                images_per_s=round(r['results'][-1]['images_per_s']), cpu=f"{cpu_model()}, one thread", threads=1)
    Path(a.out + '.json').write_text(json.dumps(meta, indent=1) + '\n')
    print(f"{len(frames)} frames in {time.time() - t0:.0f} s: " + ', '.join(f"{f['t']:g} s FID {f['fid']:.1f}" for f in frames))

if __name__ == '__main__': main()
