// The docs site's small scripts: a link on each section heading, and search over every page.
// Search runs in the browser on the index that tools/build_docs.py writes (_static/search-index.js,
// one entry per section of every page) with MiniSearch (npm `minisearch`); nothing leaves the site.
document.addEventListener('DOMContentLoaded', () => {
  for (const h of document.querySelectorAll('main h2[id], main h3[id], main h4[id]')) {
    const a = document.createElement('a');
    a.className = 'anchor-link'; a.href = '#' + h.id; a.textContent = '#';
    a.setAttribute('aria-label', 'link to this section');
    h.append(a);
  }
  const input = document.getElementById('search-input'), list = document.getElementById('search-results');
  if (!input || !window.MiniSearch || !window.SEARCH_INDEX) return;
  const root = document.body.dataset.root || '';
  const index = new MiniSearch({ fields: ['title', 'text', 'pageTitle'],
                                 searchOptions: { boost: { title: 3, pageTitle: 2 }, prefix: true, fuzzy: 0.15, combineWith: 'AND',
                                                  // prose that explains a word ranks above the API entry named after it
                                                  boostDocument: id => (window.SEARCH_INDEX[id].api ? 0.3 : 1) } });
  index.addAll(window.SEARCH_INDEX.map((d, i) => ({ ...d, id: i })));  // MiniSearch's id: the entry's position
  const esc = s => s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const snippet = (text, terms) => {
    const low = text.toLowerCase();
    let at = Math.min(...terms.map(t => low.indexOf(t)).filter(i => i >= 0), text.length);
    if (at === text.length) at = 0;
    const s = Math.max(0, at - 40);
    return (s ? '…' : '') + text.slice(s, s + 140) + (s + 140 < text.length ? '…' : '');
  };
  const show = () => {
    const q = input.value.trim();
    list.innerHTML = '';
    if (q.length < 2) { list.hidden = true; return; }
    const seen = new Set();  // the best section of each page, best pages first
    const hits = index.search(q).filter(h => { const p = window.SEARCH_INDEX[h.id].page;
                                                return !seen.has(p) && seen.add(p); }).slice(0, 10);
    const terms = q.toLowerCase().split(/\s+/);
    for (const h of hits) {
      const d = window.SEARCH_INDEX[h.id];
      const li = document.createElement('li');
      const where = d.title && d.title !== d.pageTitle ? `${esc(d.pageTitle)} › ${esc(d.title)}` : esc(d.pageTitle);
      li.innerHTML = `<a href="${root}${d.page}${d.id ? '#' + d.id : ''}"><strong>${where}</strong>` +
                     `<span>${esc(snippet(d.text, terms))}</span></a>`;
      list.append(li);
    }
    if (!hits.length) list.innerHTML = '<li class="search-none">No matches</li>';
    list.hidden = false;
  };
  input.addEventListener('input', show);
  input.addEventListener('keydown', e => {
    if (e.key === 'Escape') { input.value = ''; show(); }
    if (e.key === 'Enter') { const a = list.querySelector('a'); if (a) a.click(); }
  });
  document.addEventListener('click', e => { if (!e.target.closest('.site-search')) list.hidden = true; });
});
