"""Images/s of gan_tutorial's training path vs the conventional PyTorch GAN loop, side by side in one process.

The conventional loop is the one most tutorials teach (e.g. eriklindernoren/PyTorch-GAN `gan.py`): torchvision
MNIST with per-item `ToTensor` + `Normalize` through a `DataLoader`, an MLP G 100-128-256-512-1024-784 with
BatchNorm, D 784-512-256-1 with Sigmoid + `BCELoss`, Adam 2e-4 (0.5, 0.999), a G step then a D step on the same
fakes. Ours is `gan_tutorial.training.fit` with the package's defaults (fused Adam, G's weight average updated after every
step) and the `mlp` and `conv` presets: data as one tensor, minibatches by index, Algorithm 1 with k = 1 (fresh noise
for each half). A fourth row runs our training path with the conventional nets, to separate what the data path and the
loop buy from what the smaller presets buy. All read the same embedded MNIST sample,
batch 64, on the CPU.

The four alternate in short rounds for the same wall budget, so background load hits them alike; we count real
images consumed per second of training. For each loop it also prints the FLOPs of one iteration per real image
(matrix products and convolutions, forward and backward of both players, counted by torch's FlopCounterMode), the
GFLOP/s that makes, and its fraction of this machine's matmul peak: the best `torch.mm` over the nets' layer shapes
at batch m and 2m, on the same thread count.

    python bench/bench_mlp.py [--seconds 60] [--rounds 6] [--threads N]
"""
import argparse, time
import torch, torch.nn as nn
import torchvision.transforms as T
from torch.utils.data import DataLoader
from torchvision.datasets import MNIST
from gan_tutorial.data import sample_root, mnist_sample
from torch.utils.flop_counter import FlopCounterMode
from gan_tutorial.training import GAN, fit, train_step, training_context
from gan_tutorial.models import Generator, Discriminator, n_params

class ConventionalG(nn.Module):
    "The conventional MLP generator: 100-128-256-512-1024-784, LeakyReLU, BatchNorm in every hidden block but the first, tanh."
    def __init__(self, nz=100):
        super().__init__()
        def block(i, o, norm=True):
            l = [nn.Linear(i, o)]
            if norm: l.append(nn.BatchNorm1d(o, 0.8))
            return l + [nn.LeakyReLU(0.2, inplace=True)]
        self.model = nn.Sequential(*block(nz, 128, norm=False), *block(128, 256), *block(256, 512), *block(512, 1024),
                                   nn.Linear(1024, 784), nn.Tanh())
    def forward(self, z): return self.model(z).view(len(z), 1, 28, 28)

class ConventionalD(nn.Module):
    "The conventional MLP discriminator: 784-512-256-1, LeakyReLU, a Sigmoid output for `BCELoss`."
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2, inplace=True), nn.Linear(512, 256),
                                   nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, 1), nn.Sigmoid())
    def forward(self, x): return self.model(x.view(len(x), -1))

class Conventional:
    "The conventional loop, resumable in rounds."
    def __init__(self, bs=64):
        tfm = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])])
        self.dl = DataLoader(MNIST(str(sample_root()), train=True, transform=tfm), batch_size=bs, shuffle=True)
        self.G, self.D, self.loss = ConventionalG(), ConventionalD(), nn.BCELoss()
        self.og = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.od = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.it = iter(self.dl)
    def step(self):
        "One iteration: a G step on fresh fakes, then a D step on a real batch and the same fakes; returns the real images used."
        try: imgs, _ = next(self.it)
        except StopIteration: self.it = iter(self.dl); imgs, _ = next(self.it)
        valid, fake = torch.ones(len(imgs), 1), torch.zeros(len(imgs), 1)
        self.og.zero_grad()
        gen = self.G(torch.randn(len(imgs), 100))
        gl = self.loss(self.D(gen), valid); gl.backward(); self.og.step()
        self.od.zero_grad()
        dl = (self.loss(self.D(imgs), valid) + self.loss(self.D(gen.detach()), fake))/2
        dl.backward(); self.od.step()
        return len(imgs)
    def run(self, seconds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds: n += self.step()
        return n, time.perf_counter() - t0
    def flops_per_image(self): # matmul and conv FLOPs of one iteration, forward and backward, per real image
        with FlopCounterMode(display=False) as fc: n = self.step()
        return fc.get_total_flops()/n

class Ours:
    def __init__(self, bs=64, same_nets=False, architecture='mlp'):
        G = D = None
        if same_nets: # the conventional nets, D without its final Sigmoid (our losses take logits)
            G, D = Generator(ConventionalG().model, 100, (1, 28, 28)), Discriminator(nn.Sequential(nn.Flatten(), *ConventionalD().model[:-1]), (1, 28, 28))
        self.gan, self.x = GAN(bs=bs, device='cpu', G=G, D=D, architecture=architecture, threads=torch.get_num_threads()), mnist_sample().x # same threads as the conventional loop
    def run(self, seconds):
        s0 = self.gan.step
        fit(self.gan, self.x, seconds=seconds, progress=False)
        return (self.gan.step - s0)*self.gan.cfg.bs*self.gan.cfg.k, self.gan.elapsed
    def flops_per_image(self): # matmul and conv FLOPs of one iteration of Algorithm 1, forward and backward, per real image
        with training_context(self.gan), FlopCounterMode(display=False) as fc: train_step(self.gan)
        return fc.get_total_flops()/(self.gan.cfg.k*self.gan.cfg.bs)

def matmul_peak(shapes, reps=100)->float: # the best torch.mm GFLOP/s over the given (m, k, n) shapes, on this thread count
    best = 0.
    for m, k, n in shapes:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(10): a @ b
        t0 = time.perf_counter()
        for _ in range(reps): a @ b
        best = max(best, 2*m*k*n*reps/(time.perf_counter() - t0)/1e9)
    return best

def bench(seconds=60, rounds=6, bs=64):
    runners = {'conventional': Conventional(bs), 'mlp preset': Ours(bs), 'conv preset': Ours(bs, architecture='conv'),
               'same nets': Ours(bs, same_nets=True)}
    tot = {k: [0, 0.] for k in runners}
    for r in runners.values(): r.run(1.) # warm-up
    for _ in range(rounds):
        for k, r in runners.items():
            n, t = r.run(seconds/rounds/2)
            tot[k][0] += n; tot[k][1] += t
    ips = {k: n/t for k, (n, t) in tot.items()}
    shapes = [(m, i, o) for m in (bs, 2*bs) for l in runners['same nets'].gan.G.modules() if isinstance(l, nn.Linear) for i, o in [(l.in_features, l.out_features)]]
    peak = matmul_peak(shapes)
    for k, v in ips.items():
        r = runners[k]; G, D = (r.gan.G, r.gan.D) if isinstance(r, Ours) else (r.G, r.D)
        f = r.flops_per_image()
        print(f"{k:>14}: {v:8,.0f} images/s ({tot[k][0]:,} images in {tot[k][1]:.1f} s; G {n_params(G):,} / D {n_params(D):,} params); "
              f"{f/1e6:5.1f} MFLOP/image, {v*f/1e9:5.1f} GFLOP/s = {v*f/1e9/peak:4.0%} of the matmul peak")
    print(f"{'peak':>14}: {peak:.1f} GFLOP/s, the best torch.mm over the nets' layer shapes at batch {bs} and {2*bs}")
    print(f"{'ratio':>14}: {ips['same nets']/ips['conventional']:.2f}x (gan_tutorial training path with the conventional nets / conventional), "
          f"{ips['mlp preset']/ips['conventional']:.2f}x (mlp preset / conventional), {ips['conv preset']/ips['mlp preset']:.2f}x (conv preset / mlp preset)")
    print(f"batch {bs}, {torch.get_num_threads()} threads, {seconds:.0f} s budget in {rounds} alternating rounds")
    return ips

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=60, help='total wall budget, shared by the four loops in alternating rounds')
    p.add_argument('--rounds', type=int, default=6, help='alternating rounds')
    p.add_argument('--bs', type=int, default=64, help='batch size')
    p.add_argument('--threads', type=int, default=1, help='torch threads for both loops (0: torch default)')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    bench(a.seconds, a.rounds, a.bs)
