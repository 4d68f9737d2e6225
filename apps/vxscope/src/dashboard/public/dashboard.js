// vxscope dashboard: reads the REST API once, then follows the WebSocket feed at /ws.
/* global Chart */
(function () {
  'use strict';
  const MAX_POINTS = 120;
  const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#a5d6ff'];
  const state = { fdb: new Map(), vxlan: new Map(), bridges: new Map(), fresh: new Set() };

  const $ = (sel) => document.querySelector(sel);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const fdbKey = (e) => [e.netns, e.ifindex, e.mac, e.vlan ?? '', e.flags.includes('self') ? 's' : 'm', isFlood(e.mac) ? e.dst : ''].join('|');
  const isFlood = (mac) => mac === '00:00:00:00:00:00' || (parseInt(mac.slice(0, 2), 16) & 1) === 1;
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

  const chart = new Chart($('#vni-chart'), {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: 'packets/s' } }, x: { ticks: { maxTicksLimit: 10 } } },
      plugins: { legend: { labels: { color: '#d8dee6' } } },
    },
  });
  window.vxscope = { chart, state };

  function pushRates(at, rates) {
    chart.data.labels.push(new Date(at).toLocaleTimeString());
    const seen = new Set();
    for (const r of rates) {
      const label = `VNI ${r.vni} (${r.netns})`;
      seen.add(label);
      let ds = chart.data.datasets.find((d) => d.label === label);
      if (!ds) {
        const color = COLORS[chart.data.datasets.length % COLORS.length];
        ds = { label, data: new Array(chart.data.labels.length - 1).fill(0), borderColor: color, backgroundColor: color, pointRadius: 2, tension: 0.2 };
        chart.data.datasets.push(ds);
      }
      ds.data.push(Math.round(r.pps * 10) / 10);
    }
    for (const ds of chart.data.datasets) {
      if (!seen.has(ds.label)) ds.data.push(0);
      if (ds.data.length > MAX_POINTS) ds.data.splice(0, ds.data.length - MAX_POINTS);
    }
    if (chart.data.labels.length > MAX_POINTS) chart.data.labels.splice(0, chart.data.labels.length - MAX_POINTS);
    chart.update();
  }

  async function refreshVnis() {
    const vnis = await (await fetch('/api/vnis')).json();
    $('#vni-table tbody').innerHTML = vnis
      .map((v) => `<tr><td>${esc(v.netns)}</td><td>${v.vni}</td><td>${v.packets}</td><td>${v.bytes}</td><td>${v.pps.toFixed(1)}</td>` +
        `<td>${v.vtepPairs.map((p) => `${esc(p.src)} → ${esc(p.dst)}:${p.dstPort} (${p.packets})`).join('<br>')}</td><td>${time(v.lastSeen)}</td></tr>`)
      .join('');
  }

  function renderFdb() {
    const rows = [...state.fdb.values()].sort((a, b) => a.netns.localeCompare(b.netns) || a.device.localeCompare(b.device) || a.mac.localeCompare(b.mac));
    $('#fdb-count').textContent = `${rows.length} entries`;
    $('#fdb-table tbody').innerHTML = rows
      .map((e) => `<tr class="${state.fresh.has(fdbKey(e)) ? 'fresh' : ''}" data-mac="${esc(e.mac)}"><td>${esc(e.netns)}</td><td>${esc(e.mac)}</td><td>${esc(e.device)}${e.master ? ` (${esc(e.master)})` : ''}</td>` +
        `<td>${e.vni ?? ''}</td><td>${esc(e.dst ?? '')}</td><td>${e.type}</td><td>${esc(e.flags.join(' '))}</td><td>${esc(e.state.join(' '))}</td><td>${time(e.updatedAt)}</td></tr>`)
      .join('');
    state.fresh.clear();
  }

  function renderLinks() {
    $('#vxlan-table tbody').innerHTML = [...state.vxlan.values()]
      .map((l) => `<tr data-name="${esc(l.name)}"><td>${esc(l.netns)}</td><td>${esc(l.name)}</td><td>${l.vni ?? ''}</td><td>${esc(l.local ?? '')}</td><td>${esc(l.remote ?? l.group ?? '')}</td>` +
        `<td>${l.dstport ?? ''}</td><td>${esc(l.underlay ?? '')}</td><td>${l.learning ? 'on' : 'off'}</td><td>${l.mtu ?? ''}</td>` +
        `<td class="${l.up ? 'up' : 'down'}">${l.up ? 'up' : 'down'} / ${esc(l.operstate)}</td></tr>`)
      .join('');
    $('#bridge-table tbody').innerHTML = [...state.bridges.values()]
      .map((b) => `<tr><td>${esc(b.netns)}</td><td>${esc(b.name)}</td><td>${esc(b.ports.join(', '))}</td><td>${b.mtu ?? ''}</td><td class="${b.up ? 'up' : 'down'}">${b.up ? 'up' : 'down'}</td></tr>`)
      .join('');
  }

  function logChange(text) {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
    const ul = $('#changes');
    ul.prepend(li);
    while (ul.children.length > 200) ul.lastChild.remove();
  }

  async function loadSnapshot() {
    const [fdb, links] = await Promise.all([(await fetch('/api/fdb')).json(), (await fetch('/api/links')).json()]);
    state.fdb = new Map(fdb.map((e) => [fdbKey(e), e]));
    state.vxlan = new Map(links.vxlan.map((l) => [`${l.netns}|${l.ifindex}`, l]));
    state.bridges = new Map(links.bridges.map((b) => [`${b.netns}|${b.ifindex}`, b]));
    renderFdb();
    renderLinks();
    await refreshVnis();
  }

  const handlers = {
    hello() {},
    'vni.rates'(msg) {
      pushRates(msg.at, msg.data.rates);
      refreshVnis().catch(() => undefined);
    },
    'fdb.changes'(msg) {
      for (const c of msg.data.changes) {
        const key = fdbKey(c.entry);
        if (c.change === 'removed') state.fdb.delete(key);
        else {
          state.fdb.set(key, c.entry);
          state.fresh.add(key);
        }
        const moved = c.previous && c.previous.dst !== c.entry.dst ? ` (moved from ${c.previous.dst})` : '';
        logChange(`fdb ${c.change} ${c.entry.mac} dev ${c.entry.device}${c.entry.dst ? ` dst ${c.entry.dst}` : ''}${moved} [${c.netns}]`);
      }
      renderFdb();
    },
    'link.changes'(msg) {
      for (const c of msg.data.changes) {
        const l = c.link;
        const key = `${l.netns}|${l.ifindex}`;
        const map = l.kind === 'vxlan' ? state.vxlan : l.kind === 'bridge' ? state.bridges : null;
        if (map) {
          if (c.change === 'removed') map.delete(key);
          else map.set(key, l);
        }
        logChange(`link ${c.change} ${l.name} ${l.up ? 'up' : 'down'}/${l.operstate} [${l.netns}]`);
      }
      renderLinks();
    },
    'collector.status'(msg) {
      $('#collectors').textContent = `collector ${msg.data.netns}: ${msg.data.state}`;
    },
  };

  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.onopen = () => {
      $('#conn').textContent = 'live';
      $('#conn').className = 'badge on';
      loadSnapshot().catch((e) => logChange(`snapshot failed: ${e}`));
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      const h = handlers[msg.type];
      if (h) h(msg);
    };
    ws.onclose = () => {
      $('#conn').textContent = 'disconnected, retrying…';
      $('#conn').className = 'badge off';
      setTimeout(connect, 2000);
    };
  }
  connect();
})();
