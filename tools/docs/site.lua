-- Pandoc filter for the offline docs site (tools/build_docs.py): what Quarto adds to Pandoc's markdown.
--   * callouts: `::: {.callout-note}` (note, tip, warning, important, caution), titled by their first
--     heading or `title=`; `collapse="true"` makes them a <details> that opens on a click;
--   * links to the site's own address (nbdev's doclinks) and to notebooks (`02_theory.ipynb#id`) become
--     relative links to the pages (metadata: `site-url`, `root`, `nb-pages`);
--   * display maths that is a whole LaTeX environment (`\begin{align}`) is left to MathJax as written;
--   * the page's API list (the headings of show_doc blocks) goes into the `api` variable of the template;
--   * the page's text, section by section, is written as JSON to `search-out` for the search index.
local stringify = pandoc.utils.stringify
local pages, site_url, root, warn = {}, '', '', {}
local gloss, gloss_page, this_page = {}, '', ''
local KINDS = {note = 'Note', tip = 'Tip', warning = 'Warning', important = 'Important', caution = 'Caution'}

local function read_meta(m)
  for k, v in pairs(m['nb-pages'] or {}) do pages[k] = stringify(v) end
  site_url, root = stringify(m['site-url'] or ''), stringify(m['root'] or '')
  for k, v in pairs(m['glossary-terms'] or {}) do gloss[k] = stringify(v) end
  gloss_page, this_page = stringify(m['glossary-page'] or ''), stringify(m['page'] or '')
end

-- The first use of each glossary term on a page links to its entry (`glossary-terms`: lower-case term -> entry id).
-- Only plain words in paragraphs and list items: not headings, code, links or emphasis.
local function link_terms(doc)
  if gloss_page == '' or this_page == gloss_page then return doc end
  local done = {}
  local function split(t) local w, p = t:match('^(.-)([%.,;:!?%)]*)$'); return w, p end
  local function para(el)
    local c, i = el.content, 1
    while i <= #c do
      if c[i].t == 'Str' then
        local w1, p1 = split(c[i].text)
        local key, n, punct = nil, 1, p1
        if p1 == '' and c[i + 1] and c[i + 1].t == 'Space' and c[i + 2] and c[i + 2].t == 'Str' then
          local w2, p2 = split(c[i + 2].text)
          if gloss[(w1 .. ' ' .. w2):lower()] then key, n, punct = (w1 .. ' ' .. w2):lower(), 3, p2 end
        end
        if not key and gloss[w1:lower()] then key = w1:lower() end
        if key and not done[gloss[key]] then
          done[gloss[key]] = true
          local words = pandoc.List({pandoc.Str(n == 1 and w1 or c[i].text)})
          if n == 3 then words:insert(pandoc.Space()); words:insert(pandoc.Str((split(c[i + 2].text)))) end
          for _ = 1, n do c:remove(i) end
          c:insert(i, pandoc.Link(words, root .. gloss_page .. '#' .. gloss[key], 'in the glossary', pandoc.Attr('', {'gloss'})))
          if punct ~= '' then c:insert(i + 1, pandoc.Str(punct)) end
        end
      end
      i = i + 1
    end
    el.content = c
    return el
  end
  return doc:walk({Para = para, Plain = para})
end

local function page_link(target)
  local path, frag = target:match('^([^#]*)(#?.*)$')
  if site_url ~= '' and path:sub(1, #site_url + 1) == site_url .. '/' then
    path = path:sub(#site_url + 2)
    return root .. (path == '' and 'index.html' or path) .. frag
  end
  if path:match('%.ipynb$') and not path:match('^%a[%w+.-]*:') then
    local p = pages[path:gsub('^%./', '')]
    if p then return root .. p .. frag end
    warn[#warn + 1] = path
  end
end

local function fix_link(el)
  local t = page_link(el.target)
  if t then el.target = t; return el end
end

local function fix_image(el)
  local t = page_link(el.src)
  if t then el.src = t; return el end
end

local function callout(div)
  local kind
  for _, c in ipairs(div.classes) do
    local k = c:match('^callout%-(%a+)$')
    if k and KINDS[k] then kind = k end
  end
  if not kind then return nil end
  local blocks = pandoc.Blocks(div.content)
  local title = div.attributes.title and pandoc.Inlines(div.attributes.title)
  if not title and blocks[1] and blocks[1].t == 'Header' then title = blocks[1].content; blocks:remove(1) end
  title = title or pandoc.Inlines(KINDS[kind])
  local cls = 'callout callout-' .. kind
  if div.attributes.collapse == 'true' then
    return pandoc.Blocks({pandoc.RawBlock('html', '<details class="' .. cls .. '"><summary class="callout-header">'),
      pandoc.Plain(title), pandoc.RawBlock('html', '</summary><div class="callout-body">')}) ..
      blocks .. {pandoc.RawBlock('html', '</div></details>')}
  end
  return pandoc.Div(pandoc.Blocks({pandoc.Div(pandoc.Plain(title), {class = 'callout-header'}),
    pandoc.Div(blocks, {class = 'callout-body'})}), {id = div.identifier, class = cls})
end

local function env_math(m)
  if m.mathtype == 'DisplayMath' and m.text:match('^%s*\\begin{') then
    local t = m.text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;')
    return pandoc.RawInline('html', '<span class="math display">' .. t .. '</span>')
  end
end

-- API list and search sections, from the finished document
local function finish(doc)
  local api, sections = pandoc.List(), {}
  local cur = {id = '', title = '', text = {}}
  local function flush() if #cur.text > 0 or cur.id ~= '' then
    sections[#sections + 1] = {id = cur.id, title = cur.title, text = table.concat(cur.text, ' '), api = cur.api} end end
  local function visit(blocks, in_doc)
    for _, b in ipairs(blocks) do
      if b.t == 'Header' and b.level <= 4 then
        flush(); cur = {id = b.identifier, title = stringify(b.content), text = {}, api = in_doc or nil}  -- api: a show_doc entry, ranked below prose in search
        if in_doc and b.level >= 3 then api:insert(pandoc.MetaMap({id = b.identifier, name = stringify(b.content)})) end
      elseif b.t == 'Div' and b.classes:includes('show-doc') then visit(b.content, true)
      elseif b.t == 'Div' and b.classes:includes('cell') then
        for _, c in ipairs(b.content) do  -- a code cell: its show_doc output, not its code
          if c.t == 'Div' and c.classes:includes('show-doc') then visit(c.content, true) end
        end
      elseif b.t ~= 'RawBlock' and b.t ~= 'CodeBlock' then cur.text[#cur.text + 1] = stringify(b) end
    end
  end
  visit(doc.blocks, false); flush()
  doc.meta.api = api
  local out = doc.meta['search-out'] and stringify(doc.meta['search-out'])
  if out then local f = assert(io.open(out, 'w')); f:write(pandoc.json.encode(sections)); f:close() end
  for _, p in ipairs(warn) do io.stderr:write('  warning: a link to ' .. p .. ', which has no page\n') end
  return doc
end

return {{Meta = read_meta}, {Link = fix_link, Image = fix_image, Math = env_math}, {Div = callout}, {Pandoc = link_terms}, {Pandoc = finish}}
