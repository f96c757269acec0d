// Peerline admin page. Plain JavaScript, no framework, no build step. Loaded as /ui/app.js under a strict CSP:
// no inline scripts or styles, so every listener is attached here and every text goes in with textContent.
'use strict';

(function () {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const CSRF_HEADER = 'X-Peerline-Request';
  const TABS = ['users', 'phones', 'registrations', 'calls', 'overlay', 'sites', 'backup'];
  /** How often a tab's data is fetched again while it is shown (ms); absent: only when it is opened. */
  const REFRESH = { registrations: 5000, calls: 2000, overlay: 10000, sites: 10000 };

  const state = {
    inApp: false,
    tab: null,
    pollToken: 0,
    users: [],
    ring: null,      // {self, members: [...], fallback: bool}
    trace: null,     // the last trace answer, redrawn on each ring refresh
    site: null
  };

  // ---------------------------------------------------------------- small helpers

  function $(id) {
    return document.getElementById(id);
  }

  /** Creates an element; attrs may hold text, class, and any attribute; children are nodes or strings. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c instanceof Node ? c : String(c));
      }
    }
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function setAttrs(e, attrs) {
    if (!attrs) {
      return;
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) {
        continue;
      }
      if (k === 'text') {
        e.textContent = String(v);
      } else if (k === 'class') {
        e.setAttribute('class', v);
      } else {
        e.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }

  function td(value, cls) {
    return el('td', { class: cls }, value === null || value === undefined ? '' : value);
  }

  function show(id, text) {
    const e = $(id);
    e.textContent = text;
    e.hidden = false;
  }

  function hide(...ids) {
    for (const id of ids) {
      $(id).hidden = true;
    }
  }

  function fmtTime(iso) {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) {
      return '';
    }
    let s = Math.max(0, Math.floor(Number(seconds)));
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (d > 0) {
      return d + ' d ' + h + ' h';
    }
    if (h > 0) {
      return h + ' h ' + m + ' min';
    }
    if (m > 0) {
      return m + ' min ' + s + ' s';
    }
    return s + ' s';
  }

  function fmtBytes(n) {
    if (n === null || n === undefined) {
      return '';
    }
    if (n < 1024) {
      return n + ' B';
    }
    if (n < 1024 * 1024) {
      return (n / 1024).toFixed(1) + ' KiB';
    }
    return (n / 1024 / 1024).toFixed(1) + ' MiB';
  }

  function fmtMillis(ms) {
    return ms === null || ms === undefined || ms < 0 ? '' : ms + ' ms';
  }

  function yesNo(b) {
    return b === true ? 'yes' : b === false ? 'no' : (b === null || b === undefined ? '' : String(b));
  }

  function shortId(id) {
    return id ? String(id).slice(0, 8) + '…' : '';
  }

  function updatedNow(id) {
    $(id).textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /**
   * Calls the admin API. body: an object (sent as JSON) or, with contentType, a string/Blob sent as is.
   * Every request that is not a GET carries the CSRF header. Returns the parsed JSON (null for 204).
   */
  async function api(method, path, body, contentType) {
    const headers = {};
    const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      headers[CSRF_HEADER] = '1';
    }
    if (body !== undefined) {
      if (contentType) {
        headers['Content-Type'] = contentType;
        opts.body = body;
      } else {
        headers['Content-Type'] = 'application/json';
        opts.body = JSON.stringify(body);
      }
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      throw new ApiError(0, 'the box did not answer (' + e.message + ')');
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (!res.ok) {
      const msg = data && typeof data.error === 'string' ? data.error
        : 'HTTP ' + res.status + (res.statusText ? ' ' + res.statusText : '');
      if (res.status === 401 && state.inApp && path !== '/api/login') {
        sessionLost();
      }
      throw new ApiError(res.status, msg);
    }
    return data;
  }

  /** Runs an async action with its submit button disabled; errors go to errorId. */
  async function busy(button, errorId, action) {
    if (errorId) {
      hide(errorId);
    }
    button.disabled = true;
    try {
      await action();
    } catch (e) {
      if (errorId) {
        show(errorId, e.message);
      }
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- views: setup, login, app

  function showView(name) {
    $('loading').hidden = true;
    $('setup-view').hidden = name !== 'setup';
    $('login-view').hidden = name !== 'login';
    $('app-view').hidden = name !== 'app';
    $('logout').hidden = name !== 'app';
    state.inApp = name === 'app';
  }

  async function checkLogin() {
    hide('global-error');
    let s;
    try {
      s = await api('GET', '/api/login');
    } catch (e) {
      $('loading').hidden = true;
      show('global-error', 'Cannot reach the box: ' + e.message);
      return;
    }
    if (!s.passwordSet) {
      showView('setup');
      $('setup-code').focus();
    } else if (s.loggedIn) {
      enterApp();
    } else {
      showView('login');
      $('login-password').focus();
    }
  }

  async function onSetup(ev) {
    ev.preventDefault();
    const code = $('setup-code').value.trim();
    const pw = $('setup-password').value;
    hide('setup-error');
    if (!code) {
      show('setup-error', 'Enter the setup code the box printed at start.');
      return;
    }
    if (pw.length < 8) {
      show('setup-error', 'The password needs at least 8 characters.');
      return;
    }
    if (pw !== $('setup-password2').value) {
      show('setup-error', 'The two passwords differ.');
      return;
    }
    await busy($('setup-submit'), 'setup-error', async () => {
      await api('POST', '/api/login', { setupCode: code, password: pw });
      $('setup-form').reset();
      enterApp();
    });
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const pw = $('login-password').value;
    if (!pw) {
      show('login-error', 'Enter the admin password.');
      return;
    }
    await busy($('login-submit'), 'login-error', async () => {
      await api('POST', '/api/login', { password: pw });
      $('login-form').reset();
      enterApp();
    });
  }

  async function onLogout() {
    stopPolling();
    try {
      await api('POST', '/api/logout');
    } catch (e) {
      // the session is gone either way; show the login again
    }
    leaveApp();
    await checkLogin();
  }

  function sessionLost() {
    leaveApp();
    showView('login');
    show('login-error', 'Your session has ended; log in again.');
    $('login-password').focus();
  }

  /** Forgets what the page showed, so nothing of it stays on screen after a logout. */
  function leaveApp() {
    stopPolling();
    state.inApp = false;
    state.users = [];
    state.ring = null;
    state.trace = null;
    for (const t of document.querySelectorAll('#app-view tbody')) {
      t.replaceChildren();
    }
    $('calls-list').replaceChildren();
    $('ring').querySelectorAll('svg').forEach((s) => s.remove());
    $('trace-result').replaceChildren();
    $('site-name').textContent = '';
    document.title = 'Peerline';
  }

  function enterApp() {
    showView('app');
    hide('login-error');
    loadSiteName();
    const fromHash = location.hash.replace(/^#/, '');
    selectTab(TABS.includes(fromHash) ? fromHash : 'users');
  }

  async function loadSiteName() {
    let site = null;
    try {
      const s = await api('GET', '/api/overlay/status');
      site = s.site || null;
      if (!site) {
        try {
          const ring = await api('GET', '/api/overlay/ring');
          const self = (ring.members || []).find((m) => m.self);
          site = self && self.site ? self.site : null;
        } catch (e) {
          // no ring endpoint: the overlay's name will do
        }
      }
      if (!site && s.overlay) {
        site = 'overlay ' + s.overlay;
      }
    } catch (e) {
      // not in an overlay: no site name to show
    }
    state.site = site;
    $('site-name').textContent = site || '';
    document.title = site ? 'Peerline · ' + site : 'Peerline';
  }

  // ---------------------------------------------------------------- tabs and polling

  function selectTab(name) {
    stopPolling();
    state.tab = name;
    // messages about what was just done belong to that moment; errors of forms stay until the next try
    document.querySelectorAll('#app-view .ok').forEach((e) => {
      e.hidden = true;
    });
    $('phone-added').hidden = true;
    $('phone-password').textContent = '';
    for (const t of TABS) {
      const tab = $('tab-' + t);
      const selected = t === name;
      tab.setAttribute('aria-selected', selected ? 'true' : 'false');
      tab.tabIndex = selected ? 0 : -1;
      $('panel-' + t).hidden = !selected;
    }
    if (location.hash !== '#' + name) {
      history.replaceState(null, '', '#' + name);
    }
    const loaders = {
      users: loadUsers,
      phones: loadPhones,
      registrations: loadRegistrations,
      calls: loadCalls,
      overlay: loadOverlay,
      sites: loadSites,
      backup: async () => {}
    };
    startPolling(loaders[name], REFRESH[name]);
  }

  /** Runs load now and, with every, again that many ms after each run ends, until the tab changes. */
  function startPolling(load, every) {
    const token = ++state.pollToken;
    const run = async () => {
      if (token !== state.pollToken || !state.inApp) {
        return;
      }
      try {
        await load();
      } catch (e) {
        // each loader shows its own errors
      }
      if (every && token === state.pollToken && state.inApp) {
        setTimeout(run, every);
      }
    };
    run();
  }

  function stopPolling() {
    state.pollToken++;
  }

  function onTabKey(ev) {
    const i = TABS.indexOf(ev.target.dataset.tab);
    let next = -1;
    if (ev.key === 'ArrowRight') {
      next = (i + 1) % TABS.length;
    } else if (ev.key === 'ArrowLeft') {
      next = (i - 1 + TABS.length) % TABS.length;
    } else if (ev.key === 'Home') {
      next = 0;
    } else if (ev.key === 'End') {
      next = TABS.length - 1;
    }
    if (next >= 0) {
      ev.preventDefault();
      selectTab(TABS[next]);
      $('tab-' + TABS[next]).focus();
    }
  }

  // ---------------------------------------------------------------- users

  async function fetchUsers() {
    const data = await api('GET', '/api/users');
    state.users = data.users || [];
    return state.users;
  }

  async function loadUsers() {
    let users;
    try {
      users = await fetchUsers();
      hide('users-error');
    } catch (e) {
      show('users-error', 'Cannot list the users: ' + e.message);
      return;
    }
    const body = $('users-table').tBodies[0];
    body.replaceChildren(...users.map(userRow));
    $('users-empty').hidden = users.length > 0;
  }

  function userRow(u) {
    const edit = el('button', { type: 'button', class: 'small secondary', 'aria-label': 'Edit ' + u.name }, 'Edit');
    edit.addEventListener('click', () => openEdit(u, false));
    const reset = el('button', { type: 'button', class: 'small secondary', 'aria-label': 'Reset the password of ' + u.name },
      'Reset password');
    reset.addEventListener('click', () => openEdit(u, true));
    const remove = el('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove ' + u.name }, 'Remove');
    remove.addEventListener('click', () => removeUser(u.name, remove));
    const tr = el('tr', { 'data-name': u.name },
      td(u.name), td(u.extension), td(u.display), td(fmtTime(u.created)), el('td', null, edit, reset, remove));
    return tr;
  }

  let editing = null;

  function openEdit(u, password) {
    editing = u;
    $('user-edit-name').textContent = u.name;
    $('user-edit-extension').value = u.extension || '';
    $('user-edit-display').value = u.display || '';
    $('user-edit-password').value = '';
    hide('user-edit-error');
    $('user-edit-form').hidden = false;
    (password ? $('user-edit-password') : $('user-edit-extension')).focus();
  }

  function closeEdit() {
    editing = null;
    $('user-edit-form').hidden = true;
    $('user-edit-form').reset();
  }

  async function onEditUser(ev) {
    ev.preventDefault();
    if (!editing) {
      return;
    }
    const change = {};
    const ext = $('user-edit-extension').value.trim();
    const display = $('user-edit-display').value.trim();
    const pw = $('user-edit-password').value;
    if (ext !== (editing.extension || '')) {
      change.extension = ext;
    }
    if (display !== (editing.display || '')) {
      change.display = display;
    }
    if (pw) {
      change.password = pw;
    }
    if (Object.keys(change).length === 0) {
      show('user-edit-error', 'Nothing changed.');
      return;
    }
    await busy($('user-edit-submit'), 'user-edit-error', async () => {
      await api('PATCH', '/api/users/' + encodeURIComponent(editing.name), change);
      const name = editing.name;
      closeEdit();
      await loadUsers();
      show('users-ok', 'Saved ' + name + (change.password ? ' (new password set)' : '') + '.');
    });
  }

  async function removeUser(name, button) {
    if (!window.confirm('Remove the user ' + name + '? Their phones can no longer register.')) {
      return;
    }
    hide('users-ok');
    await busy(button, 'users-error', async () => {
      await api('DELETE', '/api/users/' + encodeURIComponent(name));
      if (editing && editing.name === name) {
        closeEdit();
      }
      await loadUsers();
      show('users-ok', 'Removed ' + name + '.');
    });
  }

  async function onAddUser(ev) {
    ev.preventDefault();
    hide('user-add-ok');
    const user = {
      name: $('user-add-name').value.trim(),
      password: $('user-add-password').value,
      extension: $('user-add-extension').value.trim(),
      display: $('user-add-display').value.trim()
    };
    if (!user.name || !user.password) {
      show('user-add-error', 'A user needs a name and a password.');
      return;
    }
    await busy($('user-add-submit'), 'user-add-error', async () => {
      const added = await api('POST', '/api/users', user);
      $('user-add-form').reset();
      await loadUsers();
      show('user-add-ok', 'Added ' + (added && added.name ? added.name : user.name)
        + (user.extension ? ' with extension ' + user.extension : '') + '.');
      $('user-add-name').focus();
    });
  }

  async function onImportCsv(ev) {
    ev.preventDefault();
    hide('users-csv-ok');
    const file = $('users-csv-file').files[0];
    if (!file) {
      show('users-csv-error', 'Choose a CSV file first.');
      return;
    }
    await busy($('users-csv-import'), 'users-csv-error', async () => {
      const text = await file.text();
      const r = await api('POST', '/api/users.csv', text, 'text/csv');
      $('users-csv-form').reset();
      show('users-csv-ok', 'Added ' + r.added + ' user' + (r.added === 1 ? '' : 's') + ' from ' + file.name + '.');
      await loadUsers();
    });
  }

  // ---------------------------------------------------------------- phones

  /** The file a phone fetches under /provision/, from its vendor and MAC; null while the MAC is incomplete. */
  function phoneFile(vendor, mac) {
    const hex = String(mac || '').replace(/[^0-9a-fA-F]/g, '').toLowerCase();
    if (hex.length !== 12) {
      return null;
    }
    switch (String(vendor).toLowerCase()) {
      case 'yealink':
      case 'polycom':
        return '/provision/' + hex + '.cfg';
      case 'grandstream':
        return '/provision/cfg' + hex + '.xml';
      case 'cisco':
        return '/provision/spa' + hex + '.xml';
      default:
        return null;
    }
  }

  function updatePhoneFile() {
    const f = phoneFile($('phone-add-vendor').value, $('phone-add-mac').value);
    $('phone-add-file').textContent = f || '(enter the 12 hex digits of the MAC)';
  }

  async function loadPhones() {
    let phones;
    try {
      phones = (await api('GET', '/api/phones')).phones || [];
      hide('phones-error');
    } catch (e) {
      show('phones-error', 'Cannot list the phones: ' + e.message);
      return;
    }
    $('phones-table').tBodies[0].replaceChildren(...phones.map(phoneRow));
    $('phones-empty').hidden = phones.length > 0;
    try {
      const users = await fetchUsers();
      $('phone-add-users').replaceChildren(...users.map((u) => el('option', { value: u.name },
        u.extension ? u.extension : null)));
      const names = users.map((u) => u.name);
      $('phone-add-users-hint').textContent = names.length === 0 ? 'Add users first: each line is a user.'
        : 'Users: ' + names.slice(0, 30).join(', ') + (names.length > 30 ? ', …' : '');
    } catch (e) {
      // the list only helps typing
    }
  }

  function phoneRow(p) {
    const remove = el('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove phone ' + p.mac }, 'Remove');
    remove.addEventListener('click', () => removePhone(p.mac, remove));
    const file = phoneFile(p.vendor, p.mac);
    return el('tr', { 'data-mac': p.mac },
      td(el('code', null, p.mac)), td(p.vendor), td(p.model), td((p.lines || []).join(', ')),
      td(file ? el('code', null, file) : ''), td(fmtTime(p.created)), el('td', null, remove));
  }

  async function removePhone(mac, button) {
    if (!window.confirm('Remove the phone ' + mac + '? Its SIP password stops working at once.')) {
      return;
    }
    await busy(button, 'phones-error', async () => {
      await api('DELETE', '/api/phones/' + encodeURIComponent(mac));
      await loadPhones();
    });
  }

  async function onAddPhone(ev) {
    ev.preventDefault();
    hide('phone-added');
    const phone = {
      mac: $('phone-add-mac').value.trim(),
      vendor: $('phone-add-vendor').value,
      model: $('phone-add-model').value.trim(),
      lines: $('phone-add-lines').value.split(/[\s,;]+/).filter((s) => s.length > 0)
    };
    if (!phone.mac || phone.lines.length === 0) {
      show('phone-add-error', 'A phone needs its MAC address and at least one line (a user).');
      return;
    }
    await busy($('phone-add-submit'), 'phone-add-error', async () => {
      const added = await api('POST', '/api/phones', phone);
      $('phone-password').textContent = added.password || '';
      $('phone-file').textContent = phoneFile(added.vendor || phone.vendor, added.mac || phone.mac) || '';
      $('phone-added').hidden = false;
      $('phone-add-form').reset();
      updatePhoneFile();
      await loadPhones();
    });
  }

  // ---------------------------------------------------------------- registrations

  async function loadRegistrations() {
    let regs;
    try {
      const data = await api('GET', '/api/registrations');
      regs = Array.isArray(data) ? data : (data && data.registrations) || [];
      hide('registrations-error');
    } catch (e) {
      show('registrations-error', 'Cannot list the registrations: ' + e.message);
      return;
    }
    regs.sort((a, b) => String(a.aor).localeCompare(String(b.aor)));
    $('registrations-table').tBodies[0].replaceChildren(...regs.map((r) => el('tr', { 'data-aor': r.aor },
      td(r.aor), td(el('code', null, r.contact || '')), td(fmtDuration(r.expires), 'num'), td(r.source),
      td(yesNo(r.behindNat)), td(r.userAgent))));
    $('registrations-empty').hidden = regs.length > 0;
    updatedNow('registrations-updated');
  }

  // ---------------------------------------------------------------- calls

  async function loadCalls() {
    let relay;
    try {
      relay = await api('GET', '/api/relay');
      hide('calls-error');
    } catch (e) {
      show('calls-error', e.status === 404 ? e.message : 'Cannot read the relay: ' + e.message);
      $('calls-list').replaceChildren();
      $('relay-summary').textContent = '';
      return;
    }
    const wan = relay.wanAddress && relay.wanAddress !== relay.address ? ', WAN side ' + relay.wanAddress : '';
    $('relay-summary').textContent = 'Relay on ' + relay.address + wan + '; ' + relay.portsInUse
      + ' port' + (relay.portsInUse === 1 ? '' : 's') + ' in use.';
    const calls = relay.calls || [];
    const cards = calls.map(callCard);
    const inCalls = new Set();
    calls.forEach((c) => (c.streams || []).forEach((s) => inCalls.add(s.stream)));
    const loose = (relay.streams || []).filter((s) => !inCalls.has(s.stream));
    if (loose.length > 0) {
      cards.push(el('div', { class: 'card' }, el('h3', null, 'Streams without a call record'), streamsTable(loose)));
    }
    $('calls-list').replaceChildren(...cards);
    $('calls-empty').hidden = calls.length > 0 || loose.length > 0;
    updatedNow('calls-updated');
  }

  function callCard(c) {
    const facts = el('dl', { class: 'facts' });
    renderFacts(facts, [
      ['Caller side', c.caller],
      ['Callee side', c.callee],
      ['Media path', c.path],
      ['Why this relay', c.why],
      ['Started', fmtTime(c.started)],
      ['Call-ID', c.callId]
    ]);
    return el('article', { class: 'card call', 'data-call-id': c.callId },
      el('h3', null, 'Call ' + shortCallId(c.callId) + ' · since ' + fmtTime(c.started)),
      facts, streamsTable(c.streams || []));
  }

  function shortCallId(id) {
    const s = String(id || '');
    return s.length > 24 ? s.slice(0, 24) + '…' : s;
  }

  function streamsTable(streams) {
    const head = el('tr', null, ...['Stream', 'Leg', 'Relay port', 'Sends to', 'Packets', 'Bytes', 'Lost', 'Jitter',
      'Rejected', 'Notes'].map((h) => el('th', { scope: 'col' }, h)));
    const rows = [];
    for (const s of streams) {
      for (const side of ['caller', 'callee']) {
        const l = s[side];
        if (!l) {
          continue;
        }
        const expected = (l.packets || 0) + (l.lost || 0);
        const lossPct = expected > 0 ? ' (' + (100 * l.lost / expected).toFixed(1) + ' %)' : '';
        const notes = [];
        if (l.ice) {
          notes.push('ICE ' + (typeof l.ice === 'string' ? l.ice : JSON.stringify(l.ice)));
        }
        if (l.beforeSignalled) {
          notes.push(l.beforeSignalled + ' before signalled');
        }
        if (l.undeliverable) {
          notes.push(l.undeliverable + ' undeliverable');
        }
        if (l.packets === 0) {
          notes.push('no media from this side');
        }
        rows.push(el('tr', null, td(s.stream), td(side === 'caller' ? 'from caller' : 'from callee'),
          td(l.port, 'num'), td(l.sendsTo || 'not yet known'), td(l.packets, 'num'), td(fmtBytes(l.bytes), 'num'),
          td((l.lost || 0) + lossPct, 'num' + (l.lost > 0 ? ' bad' : '')), td(fmtMillis(l.jitterMillis), 'num'),
          td(l.rejected, 'num' + (l.rejected > 0 ? ' bad' : '')), td(notes.join('; '))));
      }
    }
    return el('div', { class: 'table-wrap' }, el('table', { class: 'streams' }, el('thead', null, head),
      el('tbody', null, ...rows)));
  }

  function renderFacts(dl, pairs) {
    const items = [];
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') {
        continue;
      }
      items.push(el('dt', null, k), el('dd', null, v));
    }
    dl.replaceChildren(...items);
  }

  // ---------------------------------------------------------------- overlay: status, ring, trace

  /** A Node-ID's place on the ring, 0..1 clockwise from the top (its first 52 bits). */
  function positionOf(nodeId) {
    const hex = String(nodeId || '').replace(/[^0-9a-fA-F]/g, '');
    if (hex.length < 13) {
      return 0;
    }
    return parseInt(hex.slice(0, 13), 16) / Math.pow(16, 13);
  }

  /**
   * The ring: GET /api/overlay/ring, or, from a box without that endpoint, the members this box has links to
   * (its status and routes), placed by their Node-IDs.
   */
  async function fetchRing(status) {
    try {
      const ring = await api('GET', '/api/overlay/ring');
      return { self: ring.self, members: ring.members || [], fallback: false };
    } catch (e) {
      if (e.status !== 404 || !status) {
        throw e;
      }
    }
    const members = new Map();
    members.set(status.nodeId, { nodeId: status.nodeId, position: positionOf(status.nodeId), self: true,
      address: status.address, site: status.site || null, uptimeSeconds: status.uptimeSeconds,
      resources: status.resources, rttMillis: null, relay: null });
    const add = (id, address) => {
      if (id && !members.has(id)) {
        members.set(id, { nodeId: id, position: positionOf(id), self: false, address: address || null, site: null,
          uptimeSeconds: null, resources: null, rttMillis: null, relay: null });
      } else if (id && address && !members.get(id).address) {
        members.get(id).address = address;
      }
    };
    (status.peers || []).forEach((p) => add(p.nodeId, p.address));
    try {
      (await api('GET', '/api/overlay/routes')).forEach((r) => add(r.peer, r.address));
    } catch (e) {
      // the links are enough
    }
    return { self: status.nodeId, members: [...members.values()], fallback: true };
  }

  async function loadOverlay() {
    let status;
    try {
      status = await api('GET', '/api/overlay/status');
      hide('overlay-error');
    } catch (e) {
      show('overlay-error', e.message);
      $('overlay-content').hidden = true;
      return;
    }
    $('overlay-content').hidden = false;
    const conflicts = status.extensionConflicts && Object.keys(status.extensionConflicts).length > 0
      ? Object.entries(status.extensionConflicts).map(([k, v]) => k + ': ' + (Array.isArray(v) ? v.join(', ') : v))
        .join('; ')
      : null;
    renderFacts($('overlay-status'), [
      ['Site', status.site],
      ['Node-ID', el('code', null, status.nodeId)],
      ['Overlay', status.overlay],
      ['Address', status.address],
      ['State', status.state],
      ['Role', status.role],
      ['Up', fmtDuration(status.uptimeSeconds)],
      ['Share of the ring', typeof status.ringShare === 'number' ? (100 * status.ringShare).toFixed(1) + ' %' : null],
      ['Members', status.members],
      ['Links', status.links],
      ['Records held', status.resources],
      ['Users published', status.publishedAors],
      ['Extensions claimed', status.extensions],
      ['Extension conflicts', conflicts]
    ]);
    try {
      state.ring = await fetchRing(status);
    } catch (e) {
      show('overlay-error', 'Cannot read the ring: ' + e.message);
      return;
    }
    drawRing();
    renderMembers();
  }

  function memberName(m) {
    return m.site || m.address || shortId(m.nodeId);
  }

  function relayLoad(m) {
    return m.relay ? m.relay.inUse + ' / ' + m.relay.capacity : '';
  }

  function sortedMembers() {
    return [...state.ring.members].sort((a, b) => a.position - b.position);
  }

  function renderMembers() {
    const rows = sortedMembers().map((m, i) => el('tr', { class: m.self ? 'self' : null, 'data-node-id': m.nodeId },
      td(i + 1), td(m.self ? el('span', { class: 'legend-self' }, (m.site || '—') + ' (this box)') : (m.site || '—')),
      td(m.address), td(fmtDuration(m.uptimeSeconds)), td(relayLoad(m)), td(fmtMillis(m.rttMillis), 'num')));
    $('ring-members').tBodies[0].replaceChildren(...rows);
  }

  const RING = { width: 560, height: 420, cx: 280, cy: 210, r: 150, dot: 9 };

  function pointAt(position, radius) {
    const a = 2 * Math.PI * position;
    return { x: RING.cx + radius * Math.sin(a), y: RING.cy - radius * Math.cos(a) };
  }

  function drawRing() {
    const figure = $('ring');
    figure.querySelectorAll('svg').forEach((s) => s.remove());
    const root = svg('svg', { viewBox: '0 0 ' + RING.width + ' ' + RING.height, role: 'img',
      'aria-label': 'Overlay ring with ' + state.ring.members.length + ' member' + (state.ring.members.length === 1 ? '' : 's') });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'strokeWidth' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
    defs.append(marker);
    root.append(defs);
    root.append(svg('circle', { cx: RING.cx, cy: RING.cy, r: RING.r, class: 'circle' }));
    for (const q of [0, 0.25, 0.5, 0.75]) {
      const a = pointAt(q, RING.r - 6);
      const b = pointAt(q, RING.r + 6);
      root.append(svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'tick' }));
    }
    const n = state.ring.members.length;
    root.append(svg('text', { x: RING.cx, y: RING.cy + 5, 'text-anchor': 'middle', class: 'centre' },
      n === 0 ? 'no members known' : n + ' box' + (n === 1 ? '' : 'es')));
    const hops = svg('g', { class: 'hops' });
    root.append(hops);
    const dots = svg('g', { class: 'members' });
    sortedMembers().forEach((m, i) => {
      const p = pointAt(m.position, RING.r);
      const dot = svg('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: RING.dot,
        class: 'member' + (m.self ? ' self' : ''), 'data-node-id': m.nodeId, tabindex: 0 });
      const tip = [(i + 1) + '. ' + memberName(m) + (m.self ? ' (this box)' : ''), 'Node-ID ' + m.nodeId];
      if (m.address) {
        tip.push('overlay address ' + m.address);
      }
      if (m.sipUri) {
        tip.push('SIP ' + m.sipUri);
      }
      if (m.uptimeSeconds !== null && m.uptimeSeconds !== undefined) {
        tip.push('up ' + fmtDuration(m.uptimeSeconds));
      }
      if (m.relay) {
        tip.push('relay ' + relayLoad(m) + ' legs in use');
      }
      if (m.rttMillis !== null && m.rttMillis !== undefined) {
        tip.push('rtt ' + m.rttMillis + ' ms');
      }
      if (m.resources !== null && m.resources !== undefined) {
        tip.push(m.resources + ' records');
      }
      dot.append(svg('title', null, tip.join('\n')));
      dots.append(dot);
      const lp = pointAt(m.position, RING.r + 20);
      const s = Math.sin(2 * Math.PI * m.position);
      const anchor = s > 0.25 ? 'start' : s < -0.25 ? 'end' : 'middle';
      const dy = Math.cos(2 * Math.PI * m.position) < -0.5 ? 10 : 0;
      dots.append(svg('text', { x: lp.x.toFixed(1), y: (lp.y + dy).toFixed(1), 'text-anchor': anchor,
        class: 'label' + (m.self ? ' self' : '') }, (i + 1) + ' ' + memberName(m)));
      if (m.site && m.address) {
        dots.append(svg('text', { x: lp.x.toFixed(1), y: (lp.y + dy + 13).toFixed(1), 'text-anchor': anchor,
          class: 'sublabel' }, m.address));
      }
    });
    root.append(dots);
    if (state.ring.fallback) {
      root.append(svg('text', { x: 6, y: RING.height - 8, class: 'tick-label' },
        'members this box has links to (no ring view on this box)'));
    }
    figure.append(root);
    drawTrace();
  }

  /** Draws the last trace as arrows from this box, hop by hop, to the responsible box. */
  function drawTrace() {
    const root = $('ring').querySelector('svg');
    if (!root) {
      return;
    }
    const g = root.querySelector('g.hops');
    g.replaceChildren();
    root.querySelectorAll('circle.member.highlight').forEach((c) => c.classList.remove('highlight'));
    const t = state.trace;
    if (!t || !Array.isArray(t.hops) || t.hops.length === 0 || !state.ring) {
      return;
    }
    const byId = new Map(state.ring.members.map((m) => [m.nodeId, m]));
    const where = (id) => (byId.has(id) ? byId.get(id).position : positionOf(id));
    let from = state.ring.self;
    t.hops.forEach((h, i) => {
      const p0 = pointAt(where(from), RING.r);
      const p1 = pointAt(where(h.peer), RING.r);
      let d;
      let label;
      if (from === h.peer || (Math.abs(p0.x - p1.x) < 1 && Math.abs(p0.y - p1.y) < 1)) {
        // this box answers itself: a small loop inside the ring
        const inward = pointAt(where(h.peer), RING.r - 46);
        const a = where(h.peer) * 2 * Math.PI;
        const side = { x: 18 * Math.cos(a), y: 18 * Math.sin(a) };
        const start = pointAt(where(h.peer), RING.r - RING.dot - 2);
        d = 'M' + start.x.toFixed(1) + ',' + start.y.toFixed(1)
          + ' C' + (inward.x - side.x).toFixed(1) + ',' + (inward.y - side.y).toFixed(1)
          + ' ' + (inward.x + side.x).toFixed(1) + ',' + (inward.y + side.y).toFixed(1)
          + ' ' + (start.x + 4 * Math.cos(a)).toFixed(1) + ',' + (start.y + 4 * Math.sin(a)).toFixed(1);
        label = pointAt(where(h.peer), RING.r - 54);
      } else {
        // a chord bent towards the centre, ending at the edge of the next box's dot
        const mid = { x: (p0.x + p1.x) / 2, y: (p0.y + p1.y) / 2 };
        const c = { x: RING.cx + (mid.x - RING.cx) * 0.45, y: RING.cy + (mid.y - RING.cy) * 0.45 };
        const end = shorten(c, p1, RING.dot + 3);
        const start = shorten(c, p0, RING.dot + 1);
        d = 'M' + start.x.toFixed(1) + ',' + start.y.toFixed(1) + ' Q' + c.x.toFixed(1) + ',' + c.y.toFixed(1)
          + ' ' + end.x.toFixed(1) + ',' + end.y.toFixed(1);
        label = { x: 0.25 * p0.x + 0.5 * c.x + 0.25 * p1.x, y: 0.25 * p0.y + 0.5 * c.y + 0.25 * p1.y };
      }
      const path = svg('path', { d, class: 'hop', 'marker-end': 'url(#arrow)', 'data-hop': i + 1,
        'data-peer': h.peer });
      path.append(svg('title', null, 'hop ' + (i + 1) + ': ' + nameOf(h.peer) + ', ' + h.rttMillis + ' ms'));
      g.append(path);
      g.append(svg('text', { x: label.x.toFixed(1), y: (label.y - 4).toFixed(1), 'text-anchor': 'middle',
        class: 'hop-label' }, i + 1));
      from = h.peer;
    });
    const last = t.hops[t.hops.length - 1].peer;
    root.querySelectorAll('circle.member').forEach((c) => {
      if (c.getAttribute('data-node-id') === last) {
        c.classList.add('highlight');
      }
    });
  }

  /** The point {@code len} before {@code to} on the straight line from {@code from} to {@code to}. */
  function shorten(from, to, len) {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const dist = Math.sqrt(dx * dx + dy * dy) || 1;
    return { x: to.x - dx / dist * len, y: to.y - dy / dist * len };
  }

  function nameOf(nodeId) {
    const m = state.ring && state.ring.members.find((x) => x.nodeId === nodeId);
    if (!m) {
      return shortId(nodeId);
    }
    return memberName(m) + (m.self ? ' (this box)' : '');
  }

  async function onTrace(ev) {
    ev.preventDefault();
    const aor = $('trace-aor').value.trim();
    if (!aor) {
      show('trace-error', 'Enter an address of record, e.g. sip:alice@site-a.example');
      return;
    }
    $('trace-result').replaceChildren(el('li', { class: 'muted' }, 'tracing…'));
    await busy($('trace-submit'), 'trace-error', async () => {
      let t;
      try {
        t = await api('GET', '/api/overlay/trace?aor=' + encodeURIComponent(aor));
      } catch (e) {
        $('trace-result').replaceChildren();
        throw e;
      }
      state.trace = t && t.complete ? t : null;
      if (!t.complete) {
        $('trace-result').replaceChildren();
        drawTrace();
        throw new Error('The trace did not complete: ' + (t.error || 'no reason given'));
      }
      if (!state.ring) {
        await loadOverlay();
      }
      $('trace-result').replaceChildren(...t.hops.map((h, i) => el('li', { 'data-peer': h.peer },
        nameOf(h.peer) + ' · ' + h.rttMillis + ' ms' + (i === t.hops.length - 1 ? ' · responsible for ' + t.aor : ''))));
      drawTrace();
    });
  }

  // ---------------------------------------------------------------- sites

  async function loadSites() {
    let status = null;
    let ring = null;
    hide('sites-error');
    try {
      status = await api('GET', '/api/overlay/status');
      ring = await fetchRing(status);
    } catch (e) {
      show('sites-error', e.message);
    }
    let offers = [];
    let cost = '';
    if (status) {
      try {
        const r = await api('GET', '/api/overlay/relays');
        offers = r.offers || [];
        cost = r.cost ? 'Relay cost: ' + r.cost + '.' : '';
      } catch (e) {
        cost = 'Relay offers unavailable: ' + e.message;
      }
    }
    $('sites-cost').textContent = cost;
    const byNode = new Map(offers.map((o) => [o.nodeId, o]));
    const members = ring ? [...ring.members].sort((a, b) => String(memberName(a)).localeCompare(String(memberName(b))))
      : [];
    const seen = new Set();
    const rows = [];
    for (const m of members) {
      seen.add(m.nodeId);
      rows.push(siteRow(m, byNode.get(m.nodeId)));
    }
    for (const o of offers) {
      if (!seen.has(o.nodeId)) {
        rows.push(siteRow({ nodeId: o.nodeId, site: null, address: null, self: false }, o));
      }
    }
    $('sites-table').tBodies[0].replaceChildren(...rows);
    await loadDns();
  }

  function siteRow(m, offer) {
    const relay = offer ? offer.inUse + ' / ' + offer.capacity : relayLoad(m);
    const rtt = offer && offer.rttMillis !== null && offer.rttMillis !== undefined ? offer.rttMillis : m.rttMillis;
    const cost = offer ? (offer.excluded ? 'not used: ' + offer.excluded : offer.cost) : '';
    const name = el('span', { title: 'Node-ID ' + m.nodeId }, (m.site || shortId(m.nodeId)) + (m.self ? ' (this box)' : ''));
    return el('tr', { class: m.self ? 'self' : null, 'data-node-id': m.nodeId },
      td(name), td(m.address), td(offer ? offer.sipUri : m.sipUri), td(fmtDuration(m.uptimeSeconds)),
      td(offer ? yesNo(offer.reachable) : ''), td(relay, 'num'), td(fmtMillis(rtt), 'num'), td(cost));
  }

  async function loadDns() {
    try {
      const dns = await api('GET', '/api/dns');
      const pairs = Object.entries(dns || {}).map(([k, v]) => [k, v !== null && typeof v === 'object'
        ? JSON.stringify(v) : String(v)]);
      renderFacts($('dns-status'), pairs);
      $('dns-box').hidden = false;
    } catch (e) {
      $('dns-box').hidden = true;
    }
  }

  // ---------------------------------------------------------------- backup and restore

  async function onRestore(ev) {
    ev.preventDefault();
    hide('restore-result');
    const file = $('restore-file').files[0];
    if (!file) {
      show('restore-error', 'Choose a backup file (.zip) first.');
      return;
    }
    if (!window.confirm('Restore ' + file.name + '? At the next restart it replaces the users, phones and'
      + ' configuration of this box.')) {
      return;
    }
    await busy($('restore-submit'), 'restore-error', async () => {
      const r = await api('POST', '/api/restore', file, 'application/zip');
      $('restore-form').reset();
      show('restore-result', 'Staged the backup of site ' + r.site + ' made ' + fmtTime(r.created) + '. '
        + (r.message || ''));
    });
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    $('setup-form').addEventListener('submit', onSetup);
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    for (const t of TABS) {
      const tab = $('tab-' + t);
      tab.addEventListener('click', () => selectTab(t));
      tab.addEventListener('keydown', onTabKey);
    }
    $('user-add-form').addEventListener('submit', onAddUser);
    $('user-edit-form').addEventListener('submit', onEditUser);
    $('user-edit-cancel').addEventListener('click', closeEdit);
    $('users-csv-form').addEventListener('submit', onImportCsv);
    $('phone-add-form').addEventListener('submit', onAddPhone);
    $('phone-add-mac').addEventListener('input', updatePhoneFile);
    $('phone-add-vendor').addEventListener('change', updatePhoneFile);
    $('phone-added-close').addEventListener('click', () => {
      $('phone-added').hidden = true;
      $('phone-password').textContent = '';
    });
    $('trace-form').addEventListener('submit', onTrace);
    $('restore-form').addEventListener('submit', onRestore);
    window.addEventListener('hashchange', () => {
      const name = location.hash.replace(/^#/, '');
      if (state.inApp && TABS.includes(name) && name !== state.tab) {
        selectTab(name);
      }
    });
    updatePhoneFile();
    checkLogin();
  }

  init();
}());
