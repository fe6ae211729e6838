// The GAN playground's engine: a 1-D or 2-D GAN trained in plain JavaScript, in float64, with no dependencies.
// G and D are the intro chapter's tiny MLPs (two hidden layers, leaky ReLU 0.2, a linear output), trained by
// Algorithm 1 (k steps of D, then one of G) with the package's losses and optimisers; backpropagation is written
// out by hand. Beside the game it computes what the theory chapter proves: the optimal discriminator
// D*(x) = p_data / (p_data + p_g) and C(G) = -log 4 + 2 JSD(p_data || p_g), both from histograms.
// A classic script (Chromium refuses ES modules from file://): in a page it defines window.GanPlayground,
// in Node `require` returns the same object. gan_tutorial/playground/ui.js draws it.
(function (root, factory) {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.GanPlayground = api;
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';
  const LOG4 = Math.log(4), SLOPE = 0.2;

  // ---------------------------------------------------------------- random numbers, seeded
  function rng(seed) { // mulberry32: uniform in [0, 1), the same sequence for the same seed
    let a = (seed >>> 0) || 1;
    const u = () => {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let spare = null;
    u.normal = () => { // Box-Muller, two normals per pair of uniforms
      if (spare !== null) { const s = spare; spare = null; return s; }
      let r, th;
      do { r = u(); } while (r === 0);
      th = 2 * Math.PI * u(); r = Math.sqrt(-2 * Math.log(r));
      spare = r * Math.sin(th); return r * Math.cos(th);
    };
    u.int = n => Math.floor(u() * n);
    return u;
  }

  // ---------------------------------------------------------------- data: the package's densities
  // Each dataset is a mixture of isotropic Gaussians (as data.GaussianMixture), except the moons and drawn points.
  function mixture(means, std, dim) { return { kind: 'mixture', means, std, dim }; }
  const DATASETS = {
    mixture_1d: () => mixture([[-2], [2]], 0.5, 1), // the intro's two bumps, data.mixture_1d()
    gaussian_1d: () => mixture([[0]], 1, 1),
    ring: () => mixture(Array.from({ length: 8 }, (_, i) => [2 * Math.cos(i * Math.PI / 4), 2 * Math.sin(i * Math.PI / 4)]), 0.05, 2), // data.ring_2d, wider modes
    grid: () => { const m = []; for (const a of [-2, -1, 0, 1, 2]) for (const b of [-2, -1, 0, 1, 2]) m.push([a, b]); return mixture(m, 0.05, 2); },
    moons: () => ({ kind: 'moons', dim: 2, noise: 0.08 }),
    drawn: () => ({ kind: 'points', dim: 2, points: [], std: 0.08 }),
  };
  function sampleData(ds, n, r) { // (n * dim) Float64Array of real points
    const x = new Float64Array(n * ds.dim);
    for (let i = 0; i < n; i++) {
      if (ds.kind === 'mixture') {
        const m = ds.means[r.int(ds.means.length)];
        for (let j = 0; j < ds.dim; j++) x[i * ds.dim + j] = m[j] + ds.std * r.normal();
      } else if (ds.kind === 'moons') { // two interleaved half circles, centred on the origin
        const t = Math.PI * r(), upper = r() < 0.5;
        const px = upper ? Math.cos(t) : 1 - Math.cos(t), py = upper ? Math.sin(t) : 0.5 - Math.sin(t);
        x[2 * i] = 1.5 * (px - 0.5) + ds.noise * r.normal(); x[2 * i + 1] = 1.5 * (py - 0.25) + ds.noise * r.normal();
      } else { // drawn points: a small Gaussian around each point the reader placed (the ring until there are any)
        const pts = ds.points.length ? ds.points : DATASETS.ring().means, p = pts[r.int(pts.length)];
        x[2 * i] = p[0] + ds.std * r.normal(); x[2 * i + 1] = p[1] + ds.std * r.normal();
      }
    }
    return x;
  }
  function density1d(ds, x) { // p_data(x) of a 1-D mixture, exact
    let s = 0;
    for (const m of ds.means) s += Math.exp(-0.5 * ((x - m[0]) / ds.std) ** 2) / (ds.std * Math.sqrt(2 * Math.PI));
    return s / ds.means.length;
  }

  // ---------------------------------------------------------------- networks: the intro's tiny_mlp
  // Layers in torch's layout: W is (out, in) row-major, b is (out); a minibatch is (n, in) row-major.
  function mlp(sizes, r) { // nn.Linear's default initialisation: U(-1/sqrt(in), 1/sqrt(in)) for weights and biases
    const layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nin = sizes[l], nout = sizes[l + 1], s = 1 / Math.sqrt(nin);
      const W = new Float64Array(nout * nin), b = new Float64Array(nout);
      for (let i = 0; i < W.length; i++) W[i] = (2 * r() - 1) * s;
      for (let i = 0; i < nout; i++) b[i] = (2 * r() - 1) * s;
      layers.push({ nin, nout, W, b });
    }
    return { sizes, layers };
  }
  function forward(net, x, n) { // returns {out, acts}: out is (n, nout); acts keeps each layer's input and pre-activation
    const acts = [], last = net.layers.length - 1; let a = x;
    for (let l = 0; l <= last; l++) {
      const { nin, nout, W, b } = net.layers[l], z = new Float64Array(n * nout), h = l === last ? z : new Float64Array(n * nout);
      for (let i = 0; i < n; i++) {
        const ai = i * nin;
        for (let o = 0; o < nout; o++) {
          let s = b[o]; const wo = o * nin;
          for (let j = 0; j < nin; j++) s += a[ai + j] * W[wo + j];
          z[i * nout + o] = s;
          if (l !== last) h[i * nout + o] = s > 0 ? s : SLOPE * s;
        }
      }
      acts.push({ input: a, z });
      a = h;
    }
    return { out: a, acts };
  }
  function backward(net, acts, dout, n, grads) { // dout: dLoss/dout (n, nout); adds into grads (if given); returns dLoss/dx
    let d = dout;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const { nin, nout, W } = net.layers[l], { input, z } = acts[l];
      if (l < net.layers.length - 1) { // through the leaky ReLU
        const dz = new Float64Array(d.length);
        for (let i = 0; i < d.length; i++) dz[i] = z[i] > 0 ? d[i] : SLOPE * d[i];
        d = dz;
      }
      const dx = new Float64Array(n * nin), gW = grads && grads[l].W, gb = grads && grads[l].b;
      for (let i = 0; i < n; i++) {
        const ii = i * nin;
        for (let o = 0; o < nout; o++) {
          const dv = d[i * nout + o];
          if (dv === 0) continue;
          const wo = o * nin;
          if (gW) { gb[o] += dv; for (let j = 0; j < nin; j++) gW[wo + j] += dv * input[ii + j]; }
          for (let j = 0; j < nin; j++) dx[ii + j] += dv * W[wo + j];
        }
      }
      d = dx;
    }
    return d;
  }
  const zeroGrads = net => net.layers.map(L => ({ W: new Float64Array(L.W.length), b: new Float64Array(L.b.length) }));

  // ---------------------------------------------------------------- losses: theory.LOSSES, on D's logits
  // Each gives the loss and its derivative by each logit (already divided by the minibatch size, as .mean() does).
  const softplus = v => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
  const sigmoid = v => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
  const mean = (l, f) => { let s = 0; for (const v of l) s += f(v); return s / l.length; };
  const grad = (l, f) => l.map(v => f(v) / l.length);
  const LOSSES = {
    non_saturating: { // D: binary cross-entropy (real -> 1 - smooth, fake -> 0); G: -log D(G(z))
      d: (lr, lf, s = 0) => [mean(lr, v => softplus(-v) + s * v) + mean(lf, softplus), grad(lr, v => sigmoid(v) - (1 - s)), grad(lf, sigmoid)],
      g: lf => [mean(lf, v => softplus(-v)), grad(lf, v => sigmoid(v) - 1)] },
    minimax: { // the value function itself: G minimises log(1 - D(G(z))), which saturates when D is sure
      d: (...a) => LOSSES.non_saturating.d(...a),
      g: lf => [mean(lf, v => -softplus(v)), grad(lf, v => -sigmoid(v))] },
    least_squares: {
      d: (lr, lf, s = 0) => [0.5 * mean(lr, v => (v - (1 - s)) ** 2) + 0.5 * mean(lf, v => v * v), grad(lr, v => v - (1 - s)), grad(lf, v => v)],
      g: lf => [0.5 * mean(lf, v => (v - 1) ** 2), grad(lf, v => v - 1)] },
    hinge: {
      d: (lr, lf, s = 0) => [mean(lr, v => Math.max(0, 1 - s - v)) + mean(lf, v => Math.max(0, 1 + v)),
                             grad(lr, v => (1 - s - v > 0 ? -1 : 0)), grad(lf, v => (1 + v > 0 ? 1 : 0))],
      g: lf => [mean(lf, v => -v), grad(lf, () => -1)] },
  };

  // ---------------------------------------------------------------- optimisers: torch.optim's update rules
  function optimizer(net, kind, lr, betas = [0.5, 0.999], eps = 1e-8) {
    const st = net.layers.map(L => ({ mW: new Float64Array(L.W.length), vW: new Float64Array(L.W.length),
                                      mb: new Float64Array(L.b.length), vb: new Float64Array(L.b.length) }));
    let t = 0;
    const o = { kind, lr, betas, eps };
    o.step = grads => {
      t += 1;
      const [b1, b2] = betas, bc1 = 1 - b1 ** t, bc2s = Math.sqrt(1 - b2 ** t), size = o.lr / bc1;
      net.layers.forEach((L, l) => {
        for (const [p, g, m, v] of [[L.W, grads[l].W, st[l].mW, st[l].vW], [L.b, grads[l].b, st[l].mb, st[l].vb]]) {
          for (let i = 0; i < p.length; i++) {
            if (kind === 'sgd') { p[i] -= o.lr * g[i]; continue; }
            m[i] += (g[i] - m[i]) * (1 - b1); // torch: exp_avg.lerp_(grad, 1 - beta1)
            v[i] = v[i] * b2 + (1 - b2) * g[i] * g[i];
            p[i] -= size * m[i] / (Math.sqrt(v[i]) / bc2s + eps);
          }
        }
      });
    };
    return o;
  }

  // ---------------------------------------------------------------- the game: Algorithm 1
  const DEFAULTS = { data: 'ring', loss: 'non_saturating', optimizer: 'adam', lrD: 3e-3, lrG: 3e-3, k: 1, bs: 64,
                     hidden: 32, nz: 2, seed: 1, smooth: 0 };
  const PRESETS = { // the settings each page embeds; a URL hash overrides them
    intro: { data: 'mixture_1d', nz: 1 },
    theory: { data: 'mixture_1d', nz: 1, k: 5 },
    ring: { data: 'ring' },
    collapse: { data: 'ring', loss: 'minimax', lrG: 1e-2 },
  };
  const LIMITS = { lrD: [1e-5, 1], lrG: [1e-5, 1], k: [1, 20], bs: [2, 1024], hidden: [2, 128], nz: [1, 8], seed: [0, 2 ** 31 - 1], smooth: [0, 0.5] };

  function settings(s = {}) { // the defaults, a preset, then given values; checked, with one message per bad value
    const c = { ...DEFAULTS, ...(PRESETS[s.preset] || {}), ...s };
    delete c.preset;
    if (!(c.data in DATASETS)) throw new Error(`unknown data '${c.data}': choose one of ${Object.keys(DATASETS).join(', ')}`);
    if (!(c.loss in LOSSES)) throw new Error(`unknown loss '${c.loss}': choose one of ${Object.keys(LOSSES).join(', ')}`);
    if (!['adam', 'sgd'].includes(c.optimizer)) throw new Error(`unknown optimizer '${c.optimizer}': choose adam or sgd`);
    for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
      c[k] = Number(c[k]);
      if (!(c[k] >= lo && c[k] <= hi)) throw new Error(`${k} must be between ${lo} and ${hi}, got ${s[k]}`);
    }
    for (const k of ['k', 'bs', 'hidden', 'nz', 'seed']) c[k] = Math.round(c[k]);
    return c;
  }

  class Game {
    constructor(s = {}) {
      this.cfg = settings(s);
      const c = this.cfg;
      this.ds = DATASETS[c.data]();
      if (s.points) this.ds.points = s.points;
      this.dim = this.ds.dim;
      this.reset();
    }
    reset() {
      const c = this.cfg;
      this.r = rng(c.seed); // one stream for weights, minibatches and noise: a setting always replays the same
      this.G = mlp([c.nz, c.hidden, c.hidden, this.dim], this.r);
      this.D = mlp([this.dim, c.hidden, c.hidden, 1], this.r);
      this.optD = optimizer(this.D, c.optimizer, c.lrD);
      this.optG = optimizer(this.G, c.optimizer, c.lrG);
      this.step = 0; this.dSteps = 0; this.gSteps = 0; this.history = [];
      this.fixedZ = this.noise(4096, rng(c.seed + 1)); // the noise the views draw G's points from, the same every frame
    }
    noise(n, r = this.r) { const z = new Float64Array(n * this.cfg.nz); for (let i = 0; i < z.length; i++) z[i] = r.normal(); return z; }
    generate(z, n) { return forward(this.G, z, n).out; }
    logits(x, n) { return forward(this.D, x, n).out; }

    dStep(real, z) { // one update of D on a real minibatch and G's fakes (drawn here unless given): returns D's loss
      const n = this.cfg.bs;
      real = real || sampleData(this.ds, n, this.r); z = z || this.noise(n);
      const fake = this.generate(z, n);
      const fr = forward(this.D, real, n), ff = forward(this.D, fake, n);
      const [loss, dr, df] = LOSSES[this.cfg.loss].d(fr.out, ff.out, this.cfg.smooth);
      const g = zeroGrads(this.D);
      backward(this.D, fr.acts, dr, n, g); backward(this.D, ff.acts, df, n, g);
      this.optD.step(g); this.dSteps++;
      this.lastD = loss; return loss;
    }
    gStep(z) { // one update of G through D, D held still: returns G's loss
      const n = this.cfg.bs;
      z = z || this.noise(n);
      const fg = forward(this.G, z, n), fd = forward(this.D, fg.out, n);
      const [loss, dl] = LOSSES[this.cfg.loss].g(fd.out);
      const dx = backward(this.D, fd.acts, dl, n, null); // D's gradient reaches the fakes, D's weights stay
      const g = zeroGrads(this.G);
      backward(this.G, fg.acts, dx, n, g);
      this.optG.step(g); this.gSteps++;
      this.lastG = loss; return loss;
    }
    train(iterations = 1) { // Algorithm 1: k steps of D, then one of G, per iteration
      for (let it = 0; it < iterations; it++) {
        let d = 0;
        for (let i = 0; i < this.cfg.k; i++) d = this.dStep();
        const g = this.gStep();
        this.step++;
        this.history.push({ step: this.step, d, g });
      }
      return this;
    }

    // ------------------------------------------------------------ what the views draw
    box() { return this.dim === 1 ? [-5, 5] : [-3, 3]; } // the part of the line or plane shown
    fakes(n = 4096) { return this.generate(this.fixedZ.subarray(0, n * this.cfg.nz), n); }
    dMap(res = 48) { // D(x) on a res x res grid over the box (2-D), or at res points (1-D): Float64Array of probabilities
      const [lo, hi] = this.box(), n = this.dim === 1 ? res : res * res, x = new Float64Array(n * this.dim);
      for (let i = 0; i < n; i++) {
        if (this.dim === 1) x[i] = lo + (i + 0.5) * (hi - lo) / res;
        else { x[2 * i] = lo + ((i % res) + 0.5) * (hi - lo) / res; x[2 * i + 1] = hi - (Math.floor(i / res) + 0.5) * (hi - lo) / res; }
      }
      return this.logits(x, n).map(sigmoid);
    }
    dGradients(x, n) { // dD(x)/dx at each point, (n, dim): the direction that raises D, where G's loss pushes its fakes
      const f = forward(this.D, x, n);
      return backward(this.D, f.acts, f.out.map(sigmoid).map(p => p * (1 - p)), n, null);
    }
    warpedGrid(lines = 9, pts = 25, span = 2) { // G applied to a grid of lines in z space (2-D noise): a list of polylines
      if (this.cfg.nz !== 2 || this.dim !== 2) return [];
      const out = [];
      for (const dir of [0, 1]) for (let a = 0; a < lines; a++) {
        const z = new Float64Array(pts * 2), u = -span + 2 * span * a / (lines - 1);
        for (let i = 0; i < pts; i++) { const v = -span + 2 * span * i / (pts - 1); z[2 * i + dir] = u; z[2 * i + 1 - dir] = v; }
        out.push(this.generate(z, pts));
      }
      return out;
    }
    realSample(n = 4096) { return this.realCache && this.realCache.length === n * this.dim ? this.realCache
                                   : (this.realCache = sampleData(this.ds, n, rng(this.cfg.seed + 2))); }
    theory(bins = this.dim === 1 ? 50 : 16, n = 4096) { // histograms of p_data and p_g, D* and |D - D*| per bin, JSD and C(G)
      const [lo, hi] = this.box(), w = (hi - lo) / bins, nb = this.dim === 1 ? bins : bins * bins;
      const hist = x => {
        const h = new Float64Array(nb);
        for (let i = 0; i < x.length / this.dim; i++) {
          const a = Math.floor((x[i * this.dim] - lo) / w), b = this.dim === 1 ? 0 : Math.floor((hi - x[i * this.dim + 1]) / w);
          if (a >= 0 && a < bins && b >= 0 && b < (this.dim === 1 ? 1 : bins)) h[b * bins + a] += 1;
        }
        const s = h.reduce((p, v) => p + v, 0) || 1;
        return h.map(v => v / s);
      };
      const p = hist(this.realSample(this.dim === 1 ? 4 * n : n)), q = hist(this.fakes(this.dim === 1 ? n : 1024));
      const centres = new Float64Array(nb * this.dim);
      for (let i = 0; i < nb; i++) {
        if (this.dim === 1) centres[i] = lo + (i + 0.5) * w;
        else { centres[2 * i] = lo + ((i % bins) + 0.5) * w; centres[2 * i + 1] = hi - (Math.floor(i / bins) + 0.5) * w; }
      }
      const d = this.logits(centres, nb).map(sigmoid), dStar = optimalD(p, q);
      const gap = dStar.map((v, i) => (Number.isNaN(v) ? NaN : Math.abs(d[i] - v)));
      const j = jsd(p, q);
      return { bins, p, q, dStar, d, gap, jsd: j, C: criterion(j) };
    }
    record() { const t = this.theory(); this.history.length && Object.assign(this.history[this.history.length - 1], { C: t.C, jsd: t.jsd }); return t; }
  }

  // ---------------------------------------------------------------- the theory, on histograms
  function optimalD(p, q) { // Proposition 1: D*(x) = p_data / (p_data + p_g), NaN where neither has mass
    return p.map((v, i) => (v + q[i] > 0 ? v / (v + q[i]) : NaN));
  }
  function jsd(p, q) { // JSD(p || q) in nats, between 0 and log 2; p and q sum to 1 (histograms or density values times bin width)
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const m = (p[i] + q[i]) / 2;
      if (p[i] > 0) s += 0.5 * p[i] * Math.log(p[i] / m);
      if (q[i] > 0) s += 0.5 * q[i] * Math.log(q[i] / m);
    }
    return s;
  }
  const criterion = j => -LOG4 + 2 * j; // Theorem 1: C(G) = -log 4 + 2 JSD, whose minimum -log 4 is reached only at p_g = p_data

  // ---------------------------------------------------------------- a setting in a URL hash, and back
  function toHash(c) {
    return Object.keys(DEFAULTS).filter(k => c[k] !== DEFAULTS[k]).map(k => `${k}=${encodeURIComponent(c[k])}`).join('&');
  }
  function fromHash(h) {
    const s = {};
    for (const part of (h || '').replace(/^#/, '').split('&')) {
      if (!part) continue;
      const [k, v] = part.split('='), key = decodeURIComponent(k);
      if (key in DEFAULTS || key === 'preset') s[key] = decodeURIComponent(v || '');
    }
    return s;
  }

  return { rng, DATASETS, sampleData, density1d, mlp, forward, backward, zeroGrads, LOSSES, optimizer, DEFAULTS, PRESETS, LIMITS,
           settings, Game, optimalD, jsd, criterion, sigmoid, softplus, toHash, fromHash, LOG4 };
});
