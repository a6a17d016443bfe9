// The servers table of the `matrix merge --format html` page: sortable,
// filterable, a detail view per row, the view kept in location.hash. Every
// value from the data is inserted as text (append / textContent), never as
// markup. No network: the page loads nothing.
(() => {
  'use strict';

  const DATA = JSON.parse(document.getElementById('data').textContent);
  const SPEC = 'spec-2025-11-25';
  const PAGE = 500;
  const ACCESS = DATA.summary.access.map((a) => a.access);
  const CLIENTS = DATA.summary.clients.map((c) => c.id);
  const CATALOGUE = DATA.catalogue || {};

  const $ = (id) => document.getElementById(id);
  const table = $('rows');
  const tbody = table.tBodies[0];
  const more = $('more');
  const detail = $('detail');
  const q = $('q');
  const accessSelect = $('access');
  const clientSelect = $('client');

  // --- the rows, with what sorting and filtering read --------------------------
  const rows = DATA.rows.map((r, i) => {
    const clients = new Map((r.clients || []).map((c) => [c.id, c.works]));
    const fail = (r.findings || []).find((f) => f.status === 'fail');
    let spec = '';
    if (r.access === 'sign-in' && clients.has(SPEC)) spec = clients.get(SPEC) ? 'works' : 'fails';
    return {
      r,
      i,
      clients,
      spec,
      working: [...clients.values()].filter(Boolean).length,
      failing: fail ? fail.id : '',
      hay: [r.name, r.url, r.authorization_server || ''].join('\n').toLowerCase(),
    };
  });
  const byUrl = new Map(rows.map((x) => [x.r.url, x]));

  const text = (s) => (s == null ? '' : String(s));
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const KEYS = {
    name: (x) => x.r.name.toLowerCase(),
    url: (x) => x.r.url,
    access: (x) => ACCESS.indexOf(x.r.access),
    spec: (x) => ({ works: 0, fails: 1, '': 2 })[x.spec],
    clients: (x) => -x.working,
    failing: (x) => x.failing || '\uffff',
  };

  // --- the view: filters, sort, selected row, how many rows are shown ----------
  const state = { q: '', access: '', client: '', sort: '', dir: 'asc', row: '', shown: PAGE };

  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.q = p.get('q') || '';
    state.access = ACCESS.includes(p.get('access')) ? p.get('access') : '';
    state.client = p.get('client') || '';
    state.sort = Object.hasOwn(KEYS, p.get('sort')) ? p.get('sort') : '';
    state.dir = p.get('dir') === 'desc' ? 'desc' : 'asc';
    state.row = p.get('row') || '';
    const shown = Number(p.get('shown'));
    state.shown = Number.isInteger(shown) && shown > PAGE ? shown : PAGE;
  }

  function writeHash() {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.access) p.set('access', state.access);
    if (state.client) p.set('client', state.client);
    if (state.sort) {
      p.set('sort', state.sort);
      p.set('dir', state.dir);
    }
    if (state.shown > PAGE) p.set('shown', String(state.shown));
    if (state.row) p.set('row', state.row);
    const hash = p.toString();
    const url = location.href.replace(/#.*$/, '') + (hash ? `#${hash}` : '');
    try {
      history.replaceState(null, '', url);
    } catch {
      location.hash = hash;
    }
  }

  function matches(x) {
    if (state.access && x.r.access !== state.access) return false;
    if (state.client) {
      const at = state.client.lastIndexOf(':');
      const id = state.client.slice(0, at);
      const want = state.client.slice(at + 1) === 'works';
      if (x.r.access !== 'sign-in' || (x.clients.get(id) === true) !== want) return false;
    }
    const needle = state.q.trim().toLowerCase();
    return !needle || x.hay.includes(needle);
  }

  function visible() {
    const list = rows.filter(matches);
    if (state.sort) {
      const key = KEYS[state.sort];
      const sign = state.dir === 'desc' ? -1 : 1;
      list.sort((a, b) => sign * cmp(key(a), key(b)) || a.i - b.i);
    }
    return list;
  }

  // --- building elements (text only) ---------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'title') node.title = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : text(c));
    return node;
  }
  const tag = (cls, label) => el('span', { class: `tag ${cls}` }, label);

  function dots(x) {
    const span = el('span', { class: 'dots' });
    const titles = [];
    for (const id of CLIENTS) {
      if (!x.clients.has(id)) continue;
      const ok = x.clients.get(id);
      span.append(el('span', { class: ok ? 'y' : 'n' }, ok ? '\u2713' : '\u2717'));
      titles.push(`${id}: ${ok ? 'works' : 'fails'}`);
    }
    if (!titles.length) span.append('\u2013');
    span.title = titles.join('\n');
    return span;
  }

  function tr(x) {
    const r = x.r;
    const row = el(
      'tr',
      { 'data-url': r.url, tabindex: '0' },
      el('td', { class: 'name' }, r.name),
      el('td', { class: 'url' }, r.url),
      el('td', {}, tag(r.access, r.access)),
      el('td', {}, x.spec ? tag(x.spec === 'works' ? 'yes' : 'no', x.spec === 'works' ? 'yes' : 'no') : tag('none', '\u2013')),
      el('td', {}, dots(x)),
      el('td', {}, x.failing ? el('code', {}, x.failing) : '\u2013'),
    );
    if (r.url === state.row) row.classList.add('selected');
    return row;
  }

  // --- the detail view ---------------------------------------------------------
  function fixes(r) {
    const list = (r.findings || []).filter((f) => f.status === 'fail' || f.status === 'warn');
    list.sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1));
    if (!list.length) return [el('p', {}, 'Nothing failed or warned.')];
    return list.map((f) => {
      const c = CATALOGUE[f.id];
      return el(
        'div',
        { class: `fix ${f.status}` },
        el('div', {}, tag(f.status, f.status), ' ', el('code', {}, f.id), c ? ` \u2014 ${c.title}` : '', f.subject ? ` (${f.subject})` : ''),
        el('p', { class: 'finding' }, f.detail),
        c ? el('p', { class: 'hint' }, el('strong', {}, 'Fix: '), c.hint) : null,
        c ? el('small', { class: 'spec' }, c.spec) : null,
      );
    });
  }

  function story(r) {
    if (!(r.story || []).length) return el('p', {}, 'No story: the server was not graded for sign-in.');
    return el(
      'ol',
      { class: 'story' },
      ...r.story.map((s) =>
        el('li', {}, `${s.step} \u2192 `, tag(s.verdict.replace(/\s+/g, '-'), s.verdict), s.check ? ' ' : null, s.check ? el('code', {}, s.check) : null, s.note ? ` \u2014 ${s.note}` : null),
      ),
    );
  }

  function clientList(r) {
    if (!(r.clients || []).length) return null;
    return el(
      'ul',
      { class: 'clients' },
      ...r.clients.map((c) => el('li', {}, el('code', {}, c.id), ' ', tag(c.works ? 'yes' : 'no', c.works ? 'works' : 'fails'), c.stops_at ? ` \u2014 stops at ${c.stops_at}` : null)),
    );
  }

  function showDetail() {
    const x = byUrl.get(state.row);
    if (!x) {
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    const r = x.r;
    const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '\u00d7');
    close.addEventListener('click', () => select(''));
    const facts = [`answer: ${r.access}`];
    if (r.authorization_server) facts.push(`authorization server: ${r.authorization_server}`);
    if (r.checked_at) facts.push(`checked ${r.checked_at}`);
    if (r.elapsed_ms) facts.push(`${r.elapsed_ms} ms`);
    const clients = clientList(r);
    detail.replaceChildren(
      close,
      el('h3', {}, r.name),
      el('p', { class: 'url' }, r.url),
      el('p', { class: 'headline' }, el('strong', {}, r.headline)),
      el('p', { class: 'facts' }, facts.join(' \u00b7 ')),
      el('h4', {}, 'Story'),
      story(r),
      clients ? el('h4', {}, 'Clients') : null,
      clients,
      el('h4', {}, 'Fixes'),
      ...fixes(r),
    );
    detail.hidden = false;
  }

  // --- rendering -----------------------------------------------------------------
  function render() {
    q.value = state.q;
    accessSelect.value = state.access;
    clientSelect.value = state.client;
    for (const th of table.tHead.rows[0].cells) {
      const key = th.dataset.key;
      if (key === state.sort) th.setAttribute('aria-sort', state.dir === 'desc' ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    const list = visible();
    const shown = list.slice(0, state.shown);
    tbody.replaceChildren(...shown.map(tr));
    $('count').textContent = `${shown.length} shown of ${list.length} matching (${rows.length} servers)`;
    more.hidden = shown.length >= list.length;
    more.textContent = `Show ${Math.min(PAGE, list.length - shown.length)} more`;
    showDetail();
  }

  function update(change) {
    Object.assign(state, change);
    writeHash();
    render();
  }

  function select(url) {
    update({ row: url });
  }

  // --- wiring --------------------------------------------------------------------
  for (const a of DATA.summary.access) {
    accessSelect.append(el('option', { value: a.access }, `${a.access} (${a.servers})`));
  }
  for (const id of CLIENTS) {
    clientSelect.append(el('option', { value: `${id}:works` }, `${id}: works`));
    clientSelect.append(el('option', { value: `${id}:fails` }, `${id}: fails`));
  }
  q.addEventListener('input', () => update({ q: q.value, shown: PAGE }));
  accessSelect.addEventListener('change', () => update({ access: accessSelect.value, shown: PAGE }));
  clientSelect.addEventListener('change', () => update({ client: clientSelect.value, shown: PAGE }));
  more.addEventListener('click', () => update({ shown: state.shown + PAGE }));
  for (const th of table.tHead.rows[0].cells) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.key;
      const dir = state.sort === key && state.dir === 'asc' ? 'desc' : 'asc';
      update({ sort: key, dir });
    });
  }
  tbody.addEventListener('click', (e) => {
    const row = e.target.closest('tr');
    if (row) select(row.dataset.url === state.row ? '' : row.dataset.url);
  });
  tbody.addEventListener('keydown', (e) => {
    const row = e.target.closest('tr');
    if (row && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      select(row.dataset.url);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.row) select('');
  });
  window.addEventListener('hashchange', () => {
    readHash();
    render();
  });

  $('controls').hidden = false;
  table.hidden = false;
  readHash();
  render();
})();
