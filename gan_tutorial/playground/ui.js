// The GAN playground's page: controls and canvases around gan.js's Game. A classic script, like gan.js (load that
// first): it defines window.GanPlaygroundUI and, once the page has loaded, mounts a playground in every
// <div class="gan-playground" data-preset="..." data-settings='{"k": 2}'> (data-hash="true": the page's URL hash
// holds the setting, so a link reproduces it). Whatever the div held (a still image) is replaced.
(function (root) {
  'use strict';
  const P = root.GanPlayground;
  const COLORS = { real: '#222', fake: '#1a9850', dReal: [49, 130, 189], dFake: [230, 120, 30], gap: [180, 30, 120], arrow: '#7b3294', grid: 'rgba(26,152,80,0.55)' };
  const VIEWS = { points: 'points', heat: 'D(x) heatmap', arrows: '∇D arrows at the fakes', grid: "G's warped noise grid" };
  const BACKGROUNDS = { d: 'D(x)', dstar: 'D*(x) from histograms', gap: '|D − D*|', none: 'nothing' };

  function el(tag, attrs = {}, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'style') e.style.cssText = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of kids) e.append(c);
    return e;
  }
  const fmt = (v, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');

  function mount(host, given = {}, opts = {}) {
    const useHash = opts.hash ?? host.dataset.hash === 'true';
    let s = { preset: host.dataset.preset, ...JSON.parse(host.dataset.settings || '{}'), ...given, ...(useHash ? P.fromHash(root.location.hash) : {}) };
    let game, playing = false, speed = 5, points = [], shown = { points: true, heat: true, arrows: true, grid: (host.dataset.views || '').includes('grid') }, background = host.dataset.background in BACKGROUNDS ? host.dataset.background : 'd';
    host.textContent = ''; host.classList.add('gp');
    const W = 360, H = 360;
    const main = el('canvas', { width: W, height: H, class: 'gp-main', role: 'img', 'aria-label': 'the game: real and generated points over the discriminator' });
    const chart = el('canvas', { width: W, height: 130, class: 'gp-chart', role: 'img', 'aria-label': 'losses and C(G) over the iterations' });
    const counter = el('span', { class: 'gp-counter' }), readout = el('div', { class: 'gp-readout' }), error = el('div', { class: 'gp-error', role: 'alert' });
    const playBtn = el('button', { type: 'button', class: 'gp-play', onclick: () => setPlaying(!playing) }, 'Play');
    const controls = {};
    const field = (name, label, input) => { controls[name] = input; input.addEventListener('change', rebuild); return el('label', {}, label, ' ', input); };
    const select = (name, options) => { const e = el('select', { name }); for (const o of options) e.append(el('option', { value: o }, o)); return e; };
    const number = (name, step) => el('input', { type: 'number', name, step, style: 'width:6em' });
    const toolbar = el('div', { class: 'gp-toolbar' }, playBtn,
      el('button', { type: 'button', class: 'gp-dstep', onclick: () => act(() => game.dStep()) }, 'One D step'),
      el('button', { type: 'button', class: 'gp-gstep', onclick: () => act(() => game.gStep()) }, 'One G step'),
      el('button', { type: 'button', class: 'gp-reset', onclick: () => { setPlaying(false); rebuild(); } }, 'Reset'),
      el('label', {}, 'speed ', (() => { const e = select('speed', ['1', '5', '20', '50']); e.value = String(speed); e.addEventListener('change', () => { speed = +e.value; }); return e; })()),
      counter);
    const settingsRow = el('div', { class: 'gp-settings' },
      field('data', 'data', select('data', Object.keys(P.DATASETS))), field('loss', 'loss', select('loss', Object.keys(P.LOSSES))),
      field('optimizer', 'optimiser', select('optimizer', ['adam', 'sgd'])), field('k', 'k', number('k', 1)),
      field('lrD', 'D rate', number('lrD', 'any')), field('lrG', 'G rate', number('lrG', 'any')), field('bs', 'batch', number('bs', 1)),
      field('seed', 'seed', number('seed', 1)));
    const viewRow = el('div', { class: 'gp-views' }, ...Object.entries(VIEWS).map(([k, label]) => {
      const c = el('input', { type: 'checkbox', name: k }); c.checked = shown[k];
      c.addEventListener('change', () => { shown[k] = c.checked; draw(); });
      return el('label', {}, c, ' ', label);
    }), el('label', {}, 'background ', (() => {
      const e = el('select', { name: 'background' });
      for (const [k, v] of Object.entries(BACKGROUNDS)) e.append(el('option', { value: k }, v));
      e.value = background;
      e.addEventListener('change', () => { background = e.value; draw(); });
      return e;
    })()));
    host.append(toolbar, settingsRow, viewRow, el('div', { class: 'gp-canvases' }, main, chart), readout, error);
    main.addEventListener('click', ev => { // "draw your own": a click adds a point to the data
      if (!game || game.cfg.data !== 'drawn') return;
      const r = main.getBoundingClientRect(), [lo, hi] = game.box();
      points.push([lo + (ev.clientX - r.left) / r.width * (hi - lo), hi - (ev.clientY - r.top) / r.height * (hi - lo)]);
      game.ds.points = points; game.realCache = null; draw();
    });

    function current() { // the setting the controls show
      const c = {};
      for (const [k, e] of Object.entries(controls)) c[k] = e.value;
      return { ...s, ...c };
    }
    function rebuild(ev) {
      try {
        const want = ev ? current() : s;
        if (ev && want.data !== game.cfg.data) want.nz = P.DATASETS[want.data]().dim; // a new dataset: noise of its own dimension
        game = new P.Game({ ...want, points }); s = { ...game.cfg }; error.textContent = '';
      } catch (e) { error.textContent = e.message; return; }
      for (const [k, e] of Object.entries(controls)) e.value = String(game.cfg[k]);
      if (useHash) history.replaceState(null, '', '#' + P.toHash(game.cfg));
      draw();
    }
    function act(f) { setPlaying(false); f(); draw(); }
    function setPlaying(on) {
      playing = on; playBtn.textContent = on ? 'Pause' : 'Play';
      if (on) requestAnimationFrame(loop);
    }
    function loop() {
      if (!playing || !host.isConnected) return;
      game.train(speed); draw();
      requestAnimationFrame(loop);
    }

    function draw() {
      const t = game.record();
      counter.textContent = ` iteration ${game.step} · D steps ${game.dSteps} · G steps ${game.gSteps}`;
      readout.textContent = `D loss ${fmt(game.lastD)} · G loss ${fmt(game.lastG)} · JSD ${fmt(t.jsd)} nats · C(G) = −log 4 + 2·JSD = ${fmt(t.C)} (its minimum, −log 4, is ${fmt(-P.LOG4)})`;
      const ctx = main.getContext('2d');
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
      if (game.dim === 1) draw1d(ctx, t); else draw2d(ctx, t);
      drawChart();
      host.dispatchEvent(new CustomEvent('gp-drawn', { detail: { step: game.step, C: t.C } }));
    }
    function shade(ctx, values, res, colour) { // a res x res map of values in [0, 1] (NaN: blank) over the whole canvas
      const img = ctx.createImageData(res, res);
      values.forEach((v, i) => {
        if (Number.isNaN(v)) return;
        const [r, g, b] = colour(v);
        img.data.set([r, g, b, 255], 4 * i);
      });
      const off = document.createElement('canvas'); off.width = res; off.height = res; off.getContext('2d').putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false; ctx.drawImage(off, 0, 0, W, H);
    }
    const diverging = v => { // D = 1 blue (real), D = 0 orange (fake), 0.5 white
      const [c, a] = v >= 0.5 ? [COLORS.dReal, (v - 0.5) * 2] : [COLORS.dFake, (0.5 - v) * 2];
      return c.map(x => Math.round(255 - (255 - x) * a * 0.7));
    };
    function draw2d(ctx, t) {
      const [lo, hi] = game.box(), sx = x => (x - lo) / (hi - lo) * W, sy = y => (hi - y) / (hi - lo) * H;
      if (shown.heat && background === 'd') shade(ctx, game.dMap(48), 48, diverging);
      if (shown.heat && background === 'dstar') shade(ctx, t.dStar, t.bins, diverging);
      if (shown.heat && background === 'gap') shade(ctx, t.gap, t.bins, v => COLORS.gap.map(x => Math.round(255 - (255 - x) * Math.min(1, 2 * v))));
      const dot = (x, n, colour, r) => { ctx.fillStyle = colour; for (let i = 0; i < n; i++) { ctx.beginPath(); ctx.arc(sx(x[2 * i]), sy(x[2 * i + 1]), r, 0, 7); ctx.fill(); } };
      if (shown.grid) {
        ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
        for (const line of game.warpedGrid()) { ctx.beginPath(); for (let i = 0; i < line.length / 2; i++) ctx[i ? 'lineTo' : 'moveTo'](sx(line[2 * i]), sy(line[2 * i + 1])); ctx.stroke(); }
      }
      const fakes = game.fakes(512);
      if (shown.points) { dot(game.realSample(4096), 512, COLORS.real, 1.5); dot(fakes, 512, COLORS.fake, 1.8); }
      if (shown.arrows) {
        const n = 64, x = fakes.subarray(0, 2 * n), g = game.dGradients(x, n);
        let m = 1e-12; for (const v of g) m = Math.max(m, Math.abs(v));
        ctx.strokeStyle = COLORS.arrow; ctx.lineWidth = 1.2;
        for (let i = 0; i < n; i++) {
          const x0 = sx(x[2 * i]), y0 = sy(x[2 * i + 1]), x1 = x0 + 18 * g[2 * i] / m, y1 = y0 - 18 * g[2 * i + 1] / m;
          ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
          const a = Math.atan2(y1 - y0, x1 - x0);
          ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - 4 * Math.cos(a - 0.5), y1 - 4 * Math.sin(a - 0.5)); ctx.lineTo(x1 - 4 * Math.cos(a + 0.5), y1 - 4 * Math.sin(a + 0.5)); ctx.fill();
        }
      }
    }
    function draw1d(ctx, t) {
      const [lo, hi] = game.box(), n = t.bins, w = (hi - lo) / n, top = 1.1, sx = x => (x - lo) / (hi - lo) * W, sy = y => H - 20 - y / top * (H - 30);
      ctx.strokeStyle = '#999'; ctx.beginPath(); ctx.moveTo(0, sy(0)); ctx.lineTo(W, sy(0)); ctx.stroke();
      ctx.fillStyle = '#555'; ctx.font = '11px sans-serif';
      for (let x = lo; x <= hi; x++) ctx.fillText(String(x), sx(x) - 3, H - 6);
      if (shown.heat && background === 'gap') { ctx.fillStyle = 'rgba(180,30,120,0.25)'; t.gap.forEach((v, i) => { if (!Number.isNaN(v)) ctx.fillRect(sx(lo + i * w), sy(v), W / n, sy(0) - sy(v)); }); }
      if (shown.points) { // p_g as a histogram, p_data as its exact density
        ctx.fillStyle = 'rgba(26,152,80,0.35)';
        t.q.forEach((v, i) => ctx.fillRect(sx(lo + i * w), sy(v / w), W / n - 1, sy(0) - sy(v / w)));
        ctx.strokeStyle = COLORS.real; ctx.setLineDash([2, 3]); ctx.lineWidth = 2; ctx.beginPath();
        for (let i = 0; i <= 200; i++) { const x = lo + i * (hi - lo) / 200; ctx[i ? 'lineTo' : 'moveTo'](sx(x), sy(P.density1d(game.ds, x))); }
        ctx.stroke(); ctx.setLineDash([]);
      }
      if (shown.heat) { // D(x), and D* where the histograms have mass
        const d = game.dMap(200);
        ctx.strokeStyle = 'rgb(49,130,189)'; ctx.lineWidth = 2; ctx.beginPath();
        d.forEach((v, i) => ctx[i ? 'lineTo' : 'moveTo'](sx(lo + (i + 0.5) * (hi - lo) / 200), sy(v))); ctx.stroke();
        if (background === 'dstar' || background === 'gap') {
          ctx.strokeStyle = 'rgb(230,120,30)'; ctx.setLineDash([6, 4]); ctx.beginPath(); let on = false;
          t.dStar.forEach((v, i) => { if (Number.isNaN(v)) { on = false; return; } ctx[on ? 'lineTo' : 'moveTo'](sx(lo + (i + 0.5) * w), sy(v)); on = true; });
          ctx.stroke(); ctx.setLineDash([]);
        }
      }
      if (shown.arrows) { // where G's loss pushes each fake: along dD/dx
        const m = 48, x = game.fakes(m), g = game.dGradients(x, m);
        let mx = 1e-12; for (const v of g) mx = Math.max(mx, Math.abs(v));
        ctx.strokeStyle = COLORS.arrow;
        for (let i = 0; i < m; i++) { const x0 = sx(x[i]), y0 = sy(0) + 8; ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x0 + 16 * g[i] / mx, y0); ctx.stroke(); }
      }
      ctx.fillStyle = '#333'; ctx.fillText('dotted: p_data · green: p_g · blue: D(x)' + (background === 'dstar' || background === 'gap' ? ' · orange: D*(x)' : ''), 6, 14);
    }
    function drawChart() {
      const ctx = chart.getContext('2d'), w = chart.width, h = chart.height, hs = game.history.slice(-400);
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
      ctx.font = '11px sans-serif'; ctx.fillStyle = '#333';
      ctx.fillText('D loss (blue), G loss (green), C(G) (purple), −log 4 (grey)', 4, 12);
      if (!hs.length) return;
      const ys = hs.flatMap(r => [r.d, r.g, r.C]).filter(Number.isFinite).concat([-P.LOG4, 0]);
      const lo = Math.min(...ys), hi = Math.max(...ys), sy = v => h - 6 - (v - lo) / (hi - lo || 1) * (h - 24), sx = i => i / Math.max(1, hs.length - 1) * (w - 8) + 4;
      ctx.strokeStyle = '#aaa'; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(0, sy(-P.LOG4)); ctx.lineTo(w, sy(-P.LOG4)); ctx.stroke(); ctx.setLineDash([]);
      for (const [k, c] of [['d', 'rgb(49,130,189)'], ['g', '#1a9850'], ['C', '#7b3294']]) {
        ctx.strokeStyle = c; ctx.beginPath(); let on = false;
        hs.forEach((r, i) => { if (!Number.isFinite(r[k])) return; ctx[on ? 'lineTo' : 'moveTo'](sx(i), sy(r[k])); on = true; });
        ctx.stroke();
      }
    }
    game = null;
    try { game = new P.Game(s); s = { ...game.cfg }; } catch (e) { error.textContent = e.message; game = new P.Game({}); }
    for (const [k, e] of Object.entries(controls)) e.value = String(game.cfg[k]);
    draw();
    return { get game() { return game; }, draw, setPlaying };
  }

  function mountAll() { for (const e of document.querySelectorAll('.gan-playground:not(.gp)')) e.gp = mount(e); }
  root.GanPlaygroundUI = { mount, mountAll };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll); else mountAll();
})(window);
