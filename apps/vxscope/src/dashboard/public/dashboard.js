// vxscope dashboard: reads the REST API once, then follows the WebSocket feed at /ws.
/* global Chart */
(function () {
  'use strict';
  const MAX_POINTS = 120;
  const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#a5d6ff'];
  const state = { fdb: new Map(), vxlan: new Map(), bridges: new Map() };

  const $ = (sel) => document.querySelector(sel);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const fdbKey = (e) => [e.netns, e.ifindex, e.mac, e.vlan ?? '', e.flags.includes('self') ? 's' : 'm', isFlood(e.mac) ? e.dst : ''].join('|');
  const isFlood = (mac) => mac === '00:00:00:00:00:00' || (parseInt(mac.slice(0, 2), 16) & 1) === 1;
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  const timeMs = (iso) => new Date(iso).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
  const num = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
  const getJson = async (url) => {
    const res = await fetch(url);
    const body = await res.json().catch(() => undefined);
    if (!res.ok) {
      const msg = body && body.message ? [].concat(body.message).join('; ') : `HTTP ${res.status}`;
      throw new Error(msg);
    }
    return body;
  };
  const ETHERTYPES = { '0x0800': 'IPv4', '0x0806': 'ARP', '0x86dd': 'IPv6', '0x8100': 'VLAN', '0x88a8': 'QinQ', '0x8847': 'MPLS' };
  const PROTOCOLS = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 58: 'ICMPv6', 132: 'SCTP' };
  const TUNNEL_LAYERS = new Set(['vxlan', 'vxlan-gpe', 'geneve', 'gre', 'erspan']);
  const POLL_MS = 2000;
  const KERNEL_POLL_MS = 3000;

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
    const vnis = await getJson('/api/vnis');
    $('#vni-table tbody').innerHTML = vnis
      .map((v) => {
        const ets = Object.entries(v.innerEthertypes || {})
          .sort((a, b) => b[1] - a[1])
          .map(([et, n]) => `<span title="${esc(et)}">${esc(ETHERTYPES[et] ?? et)}</span> ${num(n)}`)
          .join(', ');
        const hv = v.headerViolations || { noIFlag: 0, reservedBits: 0 };
        const bad = hv.noIFlag + hv.reservedBits > 0;
        return `<tr data-vni="${esc(v.vni)}" data-netns="${esc(v.netns)}"><td>${esc(v.netns)}</td><td>${esc(v.vni)}</td>` +
          `<td class="num">${num(v.packets)}</td><td class="num">${num(v.bytes)}</td><td class="num">${esc(v.pps.toFixed(1))}</td>` +
          `<td class="num">${num(v.inner.broadcast)} / ${num(v.inner.multicast)} / ${num(v.inner.unicast)}</td>` +
          `<td class="num">${num(v.inner.arpRequests)} / ${num(v.inner.arpReplies)}</td><td>${ets}</td>` +
          `<td class="${bad ? 'down' : ''}" title="I flag missing / reserved bits set">${num(hv.noIFlag)} / ${num(hv.reservedBits)}</td>` +
          `<td>${v.vtepPairs.map((p) => `${esc(p.src)} → ${esc(p.dst)}:${esc(p.dstPort)} (${num(p.packets)})`).join('<br>')}</td><td>${esc(time(v.lastSeen))}</td></tr>`;
      })
      .join('');
    updateVniChoices(vnis);
  }

  // --- capture health, flows and MACs: polled, they have no live feed ---

  function renderCapture(ifaces) {
    $('#capture-table tbody').innerHTML = ifaces
      .map((c) => {
        const errors = Object.entries(c.decodeErrors || {}).sort((a, b) => b[1] - a[1]);
        const ev = c.evictions || { flows: 0, macs: 0, vnis: 0 };
        const dropped = (c.pcapDropped ?? 0) + (c.ifDropped ?? 0) > 0;
        return `<tr data-testid="capture-row" data-netns="${esc(c.netns)}" data-name="${esc(c.name)}">` +
          `<td>${esc(c.netns)}</td><td>${esc(c.name)}</td><td class="${c.active ? 'up' : 'down'}">${c.active ? 'active' : 'stopped'}</td>` +
          `<td>${esc(c.linkType ?? '')}</td><td class="mono">${esc(c.filter ?? '')}</td>` +
          `<td class="num" data-field="packets" data-value="${esc(c.packets)}">${num(c.packets)}</td>` +
          `<td class="num" data-field="vxlan" data-value="${esc(c.vxlanPackets)}">${num(c.vxlanPackets)}</td>` +
          `<td class="num">${num(c.gpePackets)}</td><td class="num">${num(c.genevePackets)}</td><td class="num">${num(c.otherPackets)}</td>` +
          `<td class="num" data-field="received" data-value="${esc(c.pcapReceived ?? '')}">${num(c.pcapReceived)}</td>` +
          `<td class="num ${dropped ? 'down' : ''}" data-field="dropped" data-value="${esc(c.pcapDropped ?? '')}">${num(c.pcapDropped)}</td>` +
          `<td class="num" data-field="ifdropped" data-value="${esc(c.ifDropped ?? '')}">${num(c.ifDropped)}</td>` +
          `<td>${errors.length ? errors.map(([reason, n]) => `<span class="down">${esc(reason)}</span> ${num(n)}`).join('<br>') : '<span class="muted">none</span>'}</td>` +
          `<td title="flows / MACs / VNIs">${num(ev.flows)} / ${num(ev.macs)} / ${num(ev.vnis)}</td>` +
          `<td class="down">${esc(c.error ?? '')}</td></tr>`;
      })
      .join('');
    $('#capture-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  const endpoint = (addr, port, proto) => {
    if (proto !== 6 && proto !== 17 && proto !== 132) return esc(addr);
    return addr.includes(':') ? `[${esc(addr)}]:${esc(port)}` : `${esc(addr)}:${esc(port)}`;
  };

  function renderFlows(flows) {
    $('#flow-table tbody').innerHTML = flows
      .map((f) => `<tr data-testid="flow-row"><td>${esc(f.netns)}</td><td>${esc(f.vni)}</td><td title="IP protocol ${esc(f.protocol)}">${esc(PROTOCOLS[f.protocol] ?? f.protocol)}</td>` +
        `<td class="mono">${endpoint(f.src, f.srcPort, f.protocol)}</td><td class="mono">${endpoint(f.dst, f.dstPort, f.protocol)}</td>` +
        `<td class="num">${num(f.packets)}</td><td class="num">${num(f.bytes)}</td><td>${esc(time(f.lastSeen))}</td></tr>`)
      .join('');
  }

  function renderMacs(macs) {
    $('#mac-table tbody').innerHTML = macs
      .map((m) => `<tr data-testid="mac-row" data-mac="${esc(m.mac)}" class="${m.moves > 0 ? 'moved' : ''}"><td>${esc(m.netns)}</td><td>${esc(m.vni)}</td>` +
        `<td class="mono">${esc(m.mac)}</td><td class="mono">${esc(m.vtep)}</td><td class="mono muted">${esc(m.previousVtep ?? '')}</td>` +
        `<td class="num">${num(m.moves)}</td><td class="num">${num(m.packets)}</td><td>${esc(time(m.lastSeen))}</td></tr>`)
      .join('');
  }

  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const [ifaces, flows, macs] = await Promise.all([getJson('/api/capture/interfaces'), getJson('/api/flows?limit=20'), getJson('/api/macs')]);
      renderCapture(ifaces);
      renderFlows(flows);
      renderMacs(macs);
      if ($('#inspector-auto').checked) await loadPackets();
    } catch (e) {
      $('#capture-updated').textContent = `update failed: ${e.message}`;
    } finally {
      polling = false;
    }
  }

  // --- packet inspector ---

  const vniKey = (v) => `${v.netns}\u0000${v.vni}`;
  let vniChoices = [];

  function updateVniChoices(vnis) {
    const keys = vnis.map(vniKey).sort();
    if (keys.join('\n') === vniChoices.map(vniKey).sort().join('\n')) return;
    const sel = $('#inspector-vni');
    const current = vniChoices[Number(sel.value)];
    vniChoices = [...vnis].sort((a, b) => a.netns.localeCompare(b.netns) || a.vni - b.vni).map((v) => ({ netns: v.netns, vni: v.vni }));
    sel.innerHTML = vniChoices.map((v, i) => `<option value="${i}" data-vni="${esc(v.vni)}">VNI ${esc(v.vni)} (${esc(v.netns)})</option>`).join('');
    const keep = current ? vniChoices.findIndex((v) => vniKey(v) === vniKey(current)) : -1;
    sel.value = String(keep >= 0 ? keep : 0);
    updateDownload();
    if (!current && vniChoices.length > 0) loadPackets().catch(() => undefined);
  }

  /** The query both the list and the pcap download use; undefined until a VNI is known. */
  function inspectorQuery() {
    const v = vniChoices[Number($('#inspector-vni').value)];
    if (!v) return undefined;
    const q = new URLSearchParams({ netns: v.netns, vni: String(v.vni) });
    const mac = $('#inspector-mac').value.trim();
    const ip = $('#inspector-ip').value.trim();
    if (mac) q.set('mac', mac.toLowerCase());
    if (ip) q.set('ip', ip);
    q.set('limit', $('#inspector-limit').value);
    return q;
  }

  function updateDownload() {
    const q = inspectorQuery();
    const a = $('#pcap-download');
    a.href = q ? `/api/captures/export?${q}` : '#';
    a.classList.toggle('disabled', !q);
  }

  function hexDump(hex) {
    const lines = [];
    for (let i = 0; i < hex.length; i += 32) {
      const bytes = hex.slice(i, i + 32).match(/../g) || [];
      const ascii = bytes.map((b) => {
        const c = parseInt(b, 16);
        return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      }).join('');
      const cols = bytes.join(' ');
      lines.push(`${(i / 2).toString(16).padStart(4, '0')}  ${cols.slice(0, 23).padEnd(23)}  ${cols.slice(24).padEnd(23)}  ${ascii}`);
    }
    return esc(lines.join('\n'));
  }

  function renderLayers(layers) {
    let depth = 0;
    return layers
      .map((l, i) => {
        const line = `<li data-testid="layer" class="layer depth-${Math.min(depth, 3)}" title="offset ${esc(l.offset)}, ${esc(l.length)} bytes">` +
          `<span class="tag">${depth === 0 ? 'outer' : depth === 1 ? 'inner' : `inner ×${depth}`}</span><span class="ltype">${esc(l.type)}</span><span class="summary">${esc(l.summary)}</span></li>`;
        // GRE followed by ERSPAN is one tunnel: step in after the last of consecutive tunnel headers.
        if (TUNNEL_LAYERS.has(l.type) && !TUNNEL_LAYERS.has(layers[i + 1]?.type)) depth++;
        return line;
      })
      .join('');
  }

  function renderPackets(packets) {
    const open = new Set([...document.querySelectorAll('#packets details[open]')].map((d) => d.dataset.key));
    $('#packets').innerHTML = packets.length === 0
      ? '<p class="muted">No packets match.</p>'
      : [...packets].reverse()
        .map((p) => {
          const key = `${p.time}|${p.hex.slice(0, 64)}`;
          const cut = p.caplen < p.wirelen ? ` <span class="muted">(captured ${esc(p.caplen)})</span>` : '';
          return `<article class="packet" data-testid="packet">` +
            `<div class="phead"><span class="mono">${esc(timeMs(p.time))}</span><span>${esc(p.wirelen)} bytes${cut}</span>` +
            `<span class="muted">${esc(p.interface)} · ${esc(p.netns)}</span></div>` +
            `<ul class="layers">${renderLayers(p.layers)}</ul>` +
            `<details data-key="${esc(key)}"${open.has(key) ? ' open' : ''}><summary>hex dump (${esc(p.caplen)} bytes)</summary><pre class="hex">${hexDump(p.hex)}</pre></details>` +
            `</article>`;
        })
        .join('');
  }

  // Only the newest request may render: an older answer arriving late must not replace it.
  let inspectorSeq = 0;
  async function loadPackets() {
    const q = inspectorQuery();
    updateDownload();
    if (!q) {
      $('#inspector-status').textContent = 'no VNI seen yet';
      return;
    }
    const status = $('#inspector-status');
    const seq = ++inspectorSeq;
    try {
      const packets = await getJson(`/api/captures/packets?${q}`);
      if (seq !== inspectorSeq) return;
      renderPackets(packets);
      status.textContent = `${packets.length} packet${packets.length === 1 ? '' : 's'}, newest first · ${new Date().toLocaleTimeString()}`;
      status.classList.remove('down');
    } catch (e) {
      if (seq !== inspectorSeq) return;
      status.textContent = e.message;
      status.classList.add('down');
    }
  }

  $('#inspector').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadPackets().catch(() => undefined);
  });
  $('#inspector').addEventListener('input', updateDownload);
  $('#inspector').addEventListener('change', (ev) => {
    updateDownload();
    if (ev.target.tagName === 'SELECT') loadPackets().catch(() => undefined);
  });

  // --- bridge FDB with live highlights: learned (green), moved (amber, "moved from …"), removed (struck through) ---

  const MARK_MS = { added: 5000, moved: 30000, removed: 5000 };
  state.marks = new Map(); // fdbKey → { change: 'added' | 'moved' | 'removed', from?, until }
  const macValue = (mac) => mac.toLowerCase();

  function fdbRow(e, key) {
    const m = state.marks.get(key);
    const change = m ? m.change : '';
    const cls = m ? `fdb-${m.change}` : '';
    const title = m ? { added: 'just learned', moved: `moved from ${m.from ?? 'nowhere'}`, removed: 'aged out / removed' }[m.change] : '';
    const dst = esc(e.dst ?? '') + (m && m.change === 'moved' ? ` <span class="moved-from" data-testid="fdb-moved-from">moved from ${esc(m.from ?? '—')}</span>` : '');
    return `<tr class="${cls}" data-testid="fdb-row" data-mac="${esc(e.mac)}" data-netns="${esc(e.netns)}" data-device="${esc(e.device)}" data-table="${e.flags.includes('self') ? 'self' : 'bridge'}" data-change="${esc(change)}" title="${esc(title)}">` +
      `<td>${esc(e.netns)}</td>` +
      `<td><button type="button" class="mac-link mono" data-testid="fdb-mac" data-mac="${esc(e.mac)}" data-netns="${esc(e.netns)}">${esc(e.mac)}</button></td>` +
      `<td>${esc(e.device)}${e.master ? ` (${esc(e.master)})` : ''}</td>` +
      `<td>${esc(e.vni ?? '')}</td><td data-field="dst">${dst}</td><td>${esc(e.type)}</td><td>${esc(e.flags.join(' '))}</td>` +
      `<td>${esc(e.state.join(' '))}</td><td>${esc(time(e.updatedAt))}</td></tr>`;
  }

  function renderFdb() {
    const rows = [...state.fdb.entries()].sort(([, a], [, b]) => a.netns.localeCompare(b.netns) || a.device.localeCompare(b.device) || a.mac.localeCompare(b.mac));
    const removed = rows.filter(([k]) => state.marks.get(k)?.change === 'removed').length;
    $('#fdb-count').textContent = `${rows.length - removed} entries${removed ? `, ${removed} just removed` : ''}`;
    $('#fdb-table tbody').innerHTML = rows.map(([k, e]) => fdbRow(e, k)).join('');
  }

  /** Drops expired highlights and the rows of removed entries whose grace period ended. */
  function expireMarks() {
    const now = Date.now();
    let dirty = false;
    for (const [key, m] of state.marks) {
      if (m.until > now) continue;
      state.marks.delete(key);
      if (m.change === 'removed') state.fdb.delete(key);
      dirty = true;
    }
    if (dirty) renderFdb();
  }
  setInterval(expireMarks, 500);

  function applyFdbChange(c) {
    const key = fdbKey(c.entry);
    const now = Date.now();
    if (c.change === 'removed') {
      if (!state.fdb.has(key)) state.fdb.set(key, c.entry);
      state.marks.set(key, { change: 'removed', until: now + MARK_MS.removed });
      return;
    }
    state.fdb.set(key, c.entry);
    const moved = c.change === 'updated' && c.previous && c.previous.dst !== c.entry.dst;
    if (c.change === 'added') state.marks.set(key, { change: 'added', until: now + MARK_MS.added });
    else if (moved) state.marks.set(key, { change: 'moved', from: c.previous.dst, until: now + MARK_MS.moved });
    else if (state.marks.get(key)?.change === 'removed') state.marks.delete(key);
  }

  // --- one MAC's FDB history (GET /api/fdb/:mac/history?netns=) ---

  const history = { mac: undefined, netns: undefined, seq: 0, timer: undefined };

  async function loadHistory() {
    if (!history.mac) return;
    const seq = ++history.seq;
    const q = history.netns ? `?netns=${encodeURIComponent(history.netns)}` : '';
    $('#fdb-history-status').textContent = 'loading…';
    try {
      const items = await getJson(`/api/fdb/${encodeURIComponent(history.mac)}/history${q}`);
      if (seq !== history.seq) return;
      $('#fdb-history-status').textContent = `${items.length} change${items.length === 1 ? '' : 's'}, newest first · updated ${new Date().toLocaleTimeString()}`;
      $('#fdb-history-list').innerHTML = items.length === 0
        ? '<li class="muted">No recorded changes.</li>'
        : items.map((h) => {
          const moved = h.moved ? ' moved' : '';
          return `<li class="tl tl-${esc(h.change)}${moved}" data-testid="fdb-history-row" data-change="${esc(h.change)}" data-moved="${h.moved ? 'true' : 'false'}">` +
            `<span class="tl-time" title="${esc(h.at)}">${esc(timeMs(h.at))}</span>` +
            `<span class="tl-change">${esc(h.change)}${h.moved ? ' (moved)' : ''}</span>` +
            `<span class="tl-dev">${esc(h.device)}${h.vni !== undefined ? ` · VNI ${esc(h.vni)}` : ''}</span>` +
            `<span class="tl-vtep mono">${h.vtep ? `VTEP ${esc(h.vtep)}` : '<span class="muted">no VTEP</span>'}</span>` +
            `<span class="tl-prev mono">${h.previousVtep ? `from ${esc(h.previousVtep)}` : ''}</span>` +
            (history.netns ? '' : `<span class="tl-netns muted">${esc(h.netns)}</span>`) + '</li>';
        }).join('');
    } catch (e) {
      if (seq !== history.seq) return;
      $('#fdb-history-status').textContent = `history failed: ${e.message}`;
      $('#fdb-history-list').innerHTML = '';
    }
  }

  function openHistory(mac, netns) {
    history.mac = mac;
    history.netns = netns;
    $('#fdb-history-mac').textContent = mac;
    $('#fdb-history-netns').textContent = netns ? `in ${netns}` : '';
    $('#fdb-history-list').innerHTML = '';
    $('#fdb-history').hidden = false;
    loadHistory().catch(() => undefined);
  }

  $('#fdb-table').addEventListener('click', (ev) => {
    const b = ev.target.closest('button.mac-link');
    if (b) openHistory(b.dataset.mac, b.dataset.netns);
  });
  $('#fdb-history-close').addEventListener('click', () => {
    history.mac = undefined;
    history.seq++;
    $('#fdb-history').hidden = true;
  });

  // --- detections: wire checks, FDB flaps; and the kernel's drop reasons ---

  const MAX_EVENTS = 200;
  state.detections = [];

  function detectionItem(d, at) {
    return { at, kind: d.kind, reason: d.reason, netns: d.netns, vni: d.vni, vtep: d.vtep, mac: d.mac, count: d.total ?? d.count, detail: d.detail };
  }

  function flapItem(f, cleared) {
    const moves = f.timeline.map((t) => (t.change === 'moved' ? `${t.from ?? '?'}→${t.dst}` : `${t.change} ${t.dst}`));
    return {
      at: cleared ? f.clearedAt ?? f.lastChangeAt : f.lastChangeAt ?? f.raisedAt,
      kind: cleared ? 'flap cleared' : 'flap',
      reason: f.reason,
      netns: f.netns,
      vni: f.vni,
      vtep: f.vteps.join(' ↔ '),
      mac: f.mac,
      count: f.timeline.length,
      detail: `${f.reason === 'moves' ? 'moves between VTEPs' : 'comes and goes'} since ${time(f.raisedAt)}${moves.length ? `: ${moves.slice(-6).join(', ')}` : ''}`,
    };
  }

  function renderDetections() {
    const list = state.detections;
    $('#detection-count').textContent = list.length ? `${list.length} event${list.length === 1 ? '' : 's'}` : '';
    $('#detections-empty').hidden = list.length > 0;
    const table = $('#detection-table');
    for (const tb of table.querySelectorAll('tbody')) tb.remove();
    table.insertAdjacentHTML('beforeend', list
      .map((d) => {
        const cls = d.kind === 'flap cleared' ? 'ev-cleared' : d.kind === 'flap' ? 'ev-flap' : 'ev-detection';
        return `<tbody class="${cls}" data-testid="detection" data-kind="${esc(d.kind)}" data-mac="${esc(d.mac ?? '')}" data-netns="${esc(d.netns)}">` +
          `<tr><td title="${esc(d.at)}">${esc(time(d.at))}</td><td><span class="kind">${esc(d.kind)}</span>${d.reason ? ` <span class="muted">${esc(d.reason)}</span>` : ''}</td>` +
          `<td>${esc(d.netns)}</td><td>${esc(d.vni ?? '')}</td><td class="mono">${esc(d.vtep ?? '')}</td><td class="mono">${esc(d.mac ?? '')}</td>` +
          `<td class="num">${num(d.count)}</td></tr>` +
          `<tr class="detail-row"><td colspan="7" class="detail">${esc(d.detail)}</td></tr></tbody>`;
      })
      .join(''));
  }

  function addDetections(items) {
    state.detections = items.concat(state.detections).slice(0, MAX_EVENTS);
    renderDetections();
  }

  async function loadDetections() {
    const [detections, flaps] = await Promise.all([getJson('/api/detections'), getJson('/api/flaps?active=true')]);
    const items = detections.map((d) => detectionItem(d, d.lastSeen)).concat(flaps.map((f) => flapItem(f, false)));
    items.sort((a, b) => String(b.at).localeCompare(String(a.at)));
    state.detections = items.slice(0, MAX_EVENTS);
    renderDetections();
  }

  function renderDrops(r) {
    const box = $('#drops');
    if (!r.enabled) {
      box.innerHTML = `<p class="down" data-testid="drops-off">tracefs off: ${esc(r.why)}</p>`;
      $('#drops-since').textContent = '';
      return;
    }
    const reasons = Object.entries(r.reasons || {}).sort((a, b) => b[1] - a[1]);
    $('#drops-since').textContent = `machine-wide since ${time(r.since)}${r.lost ? `, ${num(r.lost)} lost` : ''}`;
    box.innerHTML = reasons.length === 0
      ? '<p class="muted">No drops counted.</p>'
      : `<table data-testid="drops-table"><thead><tr><th>reason</th><th class="num">drops</th></tr></thead><tbody>` +
        reasons.map(([reason, n]) => `<tr data-testid="drop-row" data-reason="${esc(reason)}"><td class="mono">${esc(reason)}</td><td class="num">${num(n)}</td></tr>`).join('') +
        '</tbody></table>' + (r.filter ? `<p class="muted mono">filter: ${esc(r.filter)}</p>` : '');
  }

  // --- VTEP health (GET /api/vteps, polled) ---

  const SILENT_MS = 30000;
  const age = (ms) => (ms < 1000 ? 'just now' : ms < 60000 ? `${Math.round(ms / 1000)} s ago` : ms < 3600000 ? `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s ago` : `${Math.floor(ms / 3600000)} h ago`);
  const bytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

  function routeText(r) {
    if (!r) return '<span class="muted">unknown</span>';
    if (r.error) return `<span class="down" data-testid="vtep-route-error">${esc(r.error)}</span>`;
    const parts = [];
    if (r.type && r.type !== 'unicast') parts.push(esc(r.type));
    parts.push(`dev ${esc(r.device ?? '?')}`);
    parts.push(r.gateway ? `via ${esc(r.gateway)}` : 'on-link');
    if (r.prefsrc) parts.push(`<span class="muted">src ${esc(r.prefsrc)}</span>`);
    return parts.join(' ');
  }

  function renderVteps(vteps) {
    const now = Date.now();
    const rows = [...vteps].sort((a, b) => a.netns.localeCompare(b.netns) || a.address.localeCompare(b.address, undefined, { numeric: true }));
    $('#vtep-table tbody').innerHTML = rows.length === 0
      ? '<tr><td colspan="8" class="muted">No remote VTEPs.</td></tr>'
      : rows.map((v) => {
        const t = v.traffic;
        const heardMs = v.lastHeard ? now - Date.parse(v.lastHeard) : undefined;
        const silent = v.fdb.length > 0 && (heardMs === undefined || heardMs > SILENT_MS);
        const heard = heardMs === undefined ? 'never' : age(Math.max(0, heardMs));
        const macs = v.fdb.map((e) => `${e.mac} ${e.device}${e.vni !== undefined ? ` VNI ${e.vni}` : ''} (${e.type})`).join('\n');
        const perVni = t.vnis.map((x) => `VNI ${x.vni}: to ${x.packetsTo} / from ${x.packetsFrom}`).join('\n');
        return `<tr data-testid="vtep-row" data-address="${esc(v.address)}" data-netns="${esc(v.netns)}" data-silent="${silent}" class="${silent ? 'silent' : ''}">` +
          `<td>${esc(v.netns)}</td><td class="mono">${esc(v.address)}</td><td>${esc(v.devices.join(', '))}</td>` +
          `<td class="num" title="${esc(macs)}" data-field="fdb" data-value="${esc(v.fdb.length)}">${num(v.fdb.length)}</td>` +
          `<td class="num" title="${esc(perVni)}" data-field="packets-to" data-value="${esc(t.packetsTo)}">${num(t.packetsTo)} pkts <span class="muted">${esc(bytes(t.bytesTo))}</span></td>` +
          `<td class="num" title="${esc(perVni)}" data-field="packets-from" data-value="${esc(t.packetsFrom)}">${num(t.packetsFrom)} pkts <span class="muted">${esc(bytes(t.bytesFrom))}</span></td>` +
          `<td class="${silent ? 'down' : ''}" data-field="last-heard" title="${esc(v.lastHeard ?? 'no packet captured from it')}">${esc(heard)}${silent ? ' (silent)' : ''}</td>` +
          `<td class="mono">${routeText(v.route)}</td></tr>`;
      }).join('');
    $('#vtep-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  let kernelPolling = false;
  async function pollKernel() {
    if (kernelPolling) return;
    kernelPolling = true;
    try {
      const [vteps, drops] = await Promise.allSettled([getJson('/api/vteps'), getJson('/api/drops')]);
      if (vteps.status === 'fulfilled') renderVteps(vteps.value);
      else $('#vtep-updated').textContent = `update failed: ${vteps.reason.message}`;
      if (drops.status === 'fulfilled') renderDrops(drops.value);
      else $('#drops').innerHTML = `<p class="down">drops: ${esc(drops.reason.message)}</p>`;
    } finally {
      kernelPolling = false;
    }
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
    for (const [key, m] of state.marks) {
      // Keep highlights across a reload; a removed entry the snapshot no longer has stays until it expires.
      if (m.change === 'removed' && !state.fdb.has(key)) state.marks.delete(key);
    }
    renderFdb();
    renderLinks();
    loadDetections().catch((e) => logChange(`detections failed: ${e.message}`));
    await refreshVnis();
  }

  const handlers = {
    hello() {},
    'vni.rates'(msg) {
      pushRates(msg.at, msg.data.rates);
      refreshVnis().catch(() => undefined);
    },
    'fdb.changes'(msg) {
      let mine = false;
      for (const c of msg.data.changes) {
        applyFdbChange(c);
        if (history.mac && macValue(c.entry.mac) === macValue(history.mac) && (!history.netns || history.netns === c.netns)) mine = true;
        const moved = c.previous && c.previous.dst !== c.entry.dst ? ` (moved from ${c.previous.dst})` : '';
        logChange(`fdb ${c.change} ${c.entry.mac} dev ${c.entry.device}${c.entry.dst ? ` dst ${c.entry.dst}` : ''}${moved} [${c.netns}]`);
      }
      renderFdb();
      if (mine) {
        // The history is written as the change arrives; read it again a moment later.
        clearTimeout(history.timer);
        history.timer = setTimeout(() => loadHistory().catch(() => undefined), 300);
      }
    },
    detections(msg) {
      addDetections(msg.data.detections.map((d) => detectionItem(d, new Date(msg.at).toISOString())).reverse());
    },
    'fdb.flap'(msg) {
      addDetections([flapItem(msg.data, false)]);
    },
    'fdb.flap.cleared'(msg) {
      addDetections([flapItem(msg.data, true)]);
    },
    'neigh.changes'(msg) {
      for (const c of msg.data.changes) {
        const n = c.neighbor;
        const moved = c.previous && c.previous.mac !== n.mac ? ` (was ${c.previous.mac ?? 'none'})` : '';
        logChange(`neigh ${c.change} ${n.ip} lladdr ${n.mac ?? '—'} dev ${n.device} ${n.state.join(' ')}${moved} [${c.netns}]`);
      }
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

  // --- labs: build, probe, break and repair overlays in namespaces (POST/DELETE /api/labs…) ---

  const FAULT_TYPES = ['vni-mismatch', 'port-mismatch', 'drop-flood-entry', 'stale-fdb', 'link-down', 'detach-from-bridge', 'mtu', 'underlay-drop', 'mac-flap', 'learning-off'];
  const TOKEN_KEY = 'vxscope.token';
  const labs = {
    records: new Map(), // id → LabRecord, as the API and 'lab.changed' give it
    probes: new Map(), // id → { result, faults } (the fault ids in place when it ran)
    progress: new Map(), // id → last 'lab.progress' data
    effects: new Map(), // `${labId}|${faultId}` → effect text from POST …/faults
    pending: new Map(), // id → what this page is waiting for ('probe', 'break', …)
    errors: new Map(), // id → last error of an operation on that lab
  };
  state.labs = labs;

  const tokenInput = $('#lab-token');
  try {
    tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    // storage disabled: the field still works for this page
  }
  $('#lab-token-form').addEventListener('submit', (ev) => ev.preventDefault());
  tokenInput.addEventListener('input', () => {
    try {
      const t = tokenInput.value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // ignore
    }
  });

  /** A same-origin API call: JSON in and out, the bearer token when set, errors as the API's message. */
  async function api(method, url, body) {
    const headers = {};
    const token = tokenInput.value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let data;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const msg = data && data.message ? [].concat(data.message).join('; ') : text.slice(0, 200) || res.statusText;
      throw new Error(`${method} ${url}: ${res.status}${data && data.error ? ` ${data.error}` : ''}: ${msg}`);
    }
    return data;
  }

  function showError(msg) {
    const el = $('#lab-error');
    el.textContent = msg || '';
    el.hidden = !msg;
  }

  const shortName = (lab, netns) => (netns.startsWith(`${lab.prefix}-${lab.id}-`) ? netns.slice(lab.prefix.length + lab.id.length + 2) : netns);
  const endpointsOf = (lab) => lab.hosts.flatMap((h) => h.endpoints);
  const faultKey = (lab) => lab.faults.map((f) => f.id).join(',');

  function labSkeleton(lab) {
    const el = document.createElement('article');
    el.className = 'lab';
    el.dataset.testid = 'lab';
    el.dataset.labId = lab.id;
    el.innerHTML =
      `<div class="lab-title"><span class="lab-info" data-part="info"></span>` +
      `<span class="lab-actions"><button type="button" data-action="probe" data-testid="lab-probe">Probe</button>` +
      `<button type="button" data-action="delete" class="danger" data-testid="lab-delete">Delete</button></span></div>` +
      `<div class="lab-progress" data-part="progress" data-testid="lab-progress"></div>` +
      `<div class="lab-error" data-part="error" data-testid="lab-op-error" role="alert" hidden></div>` +
      `<div class="lab-body"><div class="lab-topo"><table class="lab-hosts" data-testid="lab-hosts"><thead><tr><th>host</th><th>netns</th><th>VTEP</th><th>vxlan</th><th>endpoints</th></tr></thead><tbody data-part="hosts"></tbody></table></div>` +
      `<div class="lab-faults"><form class="inspector lab-break" data-testid="lab-break-form">` +
      `<label>fault <select name="type" data-testid="lab-fault-type">${FAULT_TYPES.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('')}</select></label>` +
      `<label>host <select name="host" data-testid="lab-fault-host">${lab.hosts.map((h) => `<option value="${esc(h.index)}">${esc(h.index)} (${esc(shortName(lab, h.netns))})</option>`).join('')}</select></label>` +
      `<button type="submit" data-testid="lab-break">Break</button></form>` +
      `<div class="lab-effect" data-part="effect" data-testid="lab-effect" hidden></div>` +
      `<ul class="fault-list" data-part="faults" data-testid="lab-faults"></ul></div></div>` +
      `<div class="probe" data-part="probe" data-testid="lab-probe-result"></div>`;
    return el;
  }

  function renderLabInfo(el, lab) {
    const s = lab.spec;
    const pending = labs.pending.get(lab.id);
    el.dataset.state = lab.state;
    el.querySelector('[data-part="info"]').innerHTML =
      `<b class="mono">${esc(lab.id)}</b> <span class="lab-state state-${esc(lab.state)}" data-testid="lab-state">${esc(lab.state)}</span> ` +
      `<span>${esc(s.mode)}</span> · <span>VNI ${esc(s.vni)}</span> · <span>port ${esc(s.port)}</span> · <span>MTU ${esc(s.mtu)}</span> · ` +
      `<span>${esc(s.hosts)} hosts × ${esc(s.endpointsPerHost)} endpoint${s.endpointsPerHost === 1 ? '' : 's'}</span> · <span>learning ${s.learning ? 'on' : 'off'}</span>` +
      (s.group ? ` · <span>group ${esc(s.group)}</span>` : '') +
      ` <span class="muted">underlay ${esc(lab.underlaySubnet)}, overlay ${esc(lab.overlaySubnet)}, created ${esc(time(lab.createdAt))}</span>` +
      (pending ? ` <span class="pending" data-testid="lab-pending">${esc(pending)}…</span>` : '');
    const idle = lab.state === 'ready' && !pending;
    for (const b of el.querySelectorAll('button')) {
      b.disabled = b.dataset.action === 'delete' ? lab.state === 'deleting' || pending === 'deleting' : !idle;
    }
  }

  function renderHosts(el, lab) {
    el.querySelector('[data-part="hosts"]').innerHTML = lab.hosts
      .map((h) => `<tr data-testid="lab-host" data-host="${esc(h.index)}"><td>${esc(h.index)}</td><td class="mono">${esc(h.netns)}</td>` +
        `<td class="mono" data-testid="lab-vtep">${esc(h.underlayIp)}</td><td class="mono">${esc(h.vxlan)} → ${esc(h.bridge)}</td>` +
        `<td>${h.endpoints.map((e) => `<span class="ep mono" data-testid="lab-endpoint" title="${esc(e.netns)}">${esc(shortName(lab, e.netns))} ${esc(e.ip)} <span class="muted">${esc(e.mac)}</span></span>`).join('<br>')}</td></tr>`)
      .join('');
  }

  function renderFaults(el, lab) {
    const pending = labs.pending.has(lab.id) || lab.state !== 'ready';
    el.querySelector('[data-part="faults"]').innerHTML = lab.faults.length === 0
      ? '<li class="muted">no faults in place</li>'
      : lab.faults
        .map((f) => {
          const effect = labs.effects.get(`${lab.id}|${f.id}`);
          return `<li data-testid="lab-fault" data-fault-id="${esc(f.id)}" data-type="${esc(f.type)}"><span class="down">${esc(f.type)}</span> on host ${esc(f.host)} ` +
            `<span class="muted">${esc(f.id)}, since ${esc(time(f.appliedAt))}</span> ` +
            `<button type="button" data-action="repair" data-fault-id="${esc(f.id)}" data-testid="lab-repair"${pending ? ' disabled' : ''}>Repair</button>` +
            (effect ? `<div class="muted effect">${esc(effect)}</div>` : '') + '</li>';
        })
        .join('');
  }

  function renderProgress(el, lab) {
    const p = labs.progress.get(lab.id);
    const box = el.querySelector('[data-part="progress"]');
    if (!p) {
      box.innerHTML = '';
      return;
    }
    const active = labs.pending.has(lab.id) || lab.state === 'building' || lab.state === 'deleting';
    const bar = typeof p.total === 'number' && p.total > 0
      ? `<progress max="${esc(p.total)}" value="${esc(p.done ?? 0)}"></progress> <span class="num">${esc(p.done ?? 0)}/${esc(p.total)}</span> `
      : '';
    box.className = `lab-progress${active ? ' active' : ''}`;
    box.innerHTML = `<span class="phase">${esc(p.phase)}</span> ${bar}<span class="mono">${esc(p.message)}</span>`;
  }

  function renderOpError(el, lab) {
    const msg = labs.errors.get(lab.id);
    const box = el.querySelector('[data-part="error"]');
    const text = msg || (lab.error ? `build failed: ${lab.error}` : '');
    box.textContent = text;
    box.hidden = !text;
  }

  function renderProbe(el, lab) {
    const box = el.querySelector('[data-part="probe"]');
    const entry = labs.probes.get(lab.id);
    if (!entry) {
      box.innerHTML = '';
      return;
    }
    const r = entry.result;
    const eps = endpointsOf(lab);
    const byPair = new Map(r.pairs.map((p) => [`${p.from}|${p.to}`, p]));
    const label = (netns) => {
      const ep = eps.find((e) => e.netns === netns);
      return `<span class="mono">${esc(shortName(lab, netns))}</span>${ep ? `<br><span class="muted mono">${esc(ep.ip)}</span>` : ''}`;
    };
    const stale = entry.faults !== faultKey(lab) ? ' <span class="hl">(faults changed since: probe again)</span>' : '';
    const head = `<div class="probe-head"><b class="${r.pass ? 'up' : 'down'}" data-testid="probe-verdict">${r.pass ? 'PASS' : 'FAIL'}</b> ` +
      `<span class="muted">probe at ${esc(time(r.startedAt))}, ${esc((r.durationMs / 1000).toFixed(1))} s, ` +
      `${esc(r.pairs.filter((p) => p.pass).length)}/${esc(r.pairs.length)} pairs pass</span>${stale}</div>`;
    const grid = `<table class="probe-grid" data-testid="probe-grid"><thead><tr><th class="corner">from ↓ / to →</th>` +
      eps.map((e) => `<th data-testid="probe-col">${label(e.netns)}</th>`).join('') + '</tr></thead><tbody>' +
      eps.map((a) => `<tr data-testid="probe-row"><th>${label(a.netns)}</th>` + eps.map((b) => {
        if (a.netns === b.netns) return '<td class="cell self">—</td>';
        const p = byPair.get(`${a.netns}|${b.netns}`);
        if (!p) return '<td class="cell none">?</td>';
        const rtt = typeof p.rttMs === 'number' ? `${p.rttMs.toFixed(2)} ms` : 'no reply';
        return `<td class="cell ${p.pass ? 'pass' : 'fail'}" data-testid="probe-cell" data-from="${esc(p.from)}" data-to="${esc(p.to)}" data-pass="${p.pass}" ` +
          `title="${esc(`${p.fromIp} → ${p.toIp}: ${p.received} of ${p.sent} replies, ARP ${p.arp}`)}">` +
          `<span class="rx">${esc(p.received)}/${esc(p.sent)}</span><span class="rtt">${esc(rtt)}</span><span class="arp">ARP ${esc(p.arp)}</span></td>`;
      }).join('') + '</tr>').join('') + '</tbody></table>';
    const mtu = r.mtu.length === 0 ? '' :
      `<table class="probe-mtu" data-testid="probe-mtu"><thead><tr><th>don't-fragment ping</th><th class="num">ICMP payload</th><th class="num">IP packet</th><th>expected</th><th>result</th></tr></thead><tbody>` +
      r.mtu.map((m) => {
        const ok = m.pass === m.fits;
        return `<tr data-testid="probe-mtu-row" data-size="${esc(m.size)}" data-ok="${ok}"><td class="mono">${esc(shortName(lab, m.from))} → ${esc(shortName(lab, m.to))}</td>` +
          `<td class="num">${esc(m.size)}</td><td class="num">${esc(m.ipBytes)}</td>` +
          `<td>${m.fits ? `fits MTU ${esc(lab.spec.mtu)}: reply` : `over MTU ${esc(lab.spec.mtu)}: no reply`}</td>` +
          `<td class="cell ${ok ? 'pass' : 'fail'}">${m.pass ? 'reply' : 'no reply'}${ok ? '' : ' (unexpected)'}</td></tr>`;
      }).join('') + '</tbody></table>';
    box.innerHTML = head + `<div class="probe-tables">${grid}${mtu}</div>`;
  }

  function renderLab(lab) {
    const list = $('#lab-list');
    let el = list.querySelector(`article[data-lab-id="${CSS.escape(lab.id)}"]`);
    if (!el) {
      el = labSkeleton(lab);
      list.append(el);
    }
    renderLabInfo(el, lab);
    renderProgress(el, lab);
    renderOpError(el, lab);
    renderHosts(el, lab);
    renderFaults(el, lab);
    const effect = el.querySelector('[data-part="effect"]');
    const last = labs.effects.get(`${lab.id}|last`);
    effect.textContent = last || '';
    effect.hidden = !last;
    renderProbe(el, lab);
  }

  function renderLabs() {
    const list = $('#lab-list');
    const records = [...labs.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const el of [...list.children]) {
      if (!el.dataset.labId || !labs.records.has(el.dataset.labId)) el.remove();
    }
    for (const lab of records) renderLab(lab);
    if (records.length === 0) list.innerHTML = '<p class="muted">No labs.</p>';
    $('#lab-count').textContent = records.length ? `${records.length} lab${records.length === 1 ? '' : 's'}` : '';
  }

  function forget(id) {
    for (const m of [labs.records, labs.probes, labs.progress, labs.pending, labs.errors]) m.delete(id);
    for (const k of [...labs.effects.keys()]) if (k.startsWith(`${id}|`)) labs.effects.delete(k);
    if ($('#lab-form-status').textContent.includes(id)) $('#lab-form-status').textContent = '';
  }

  async function loadLabs() {
    const list = await api('GET', '/api/labs');
    const ids = new Set(list.map((l) => l.id));
    for (const id of [...labs.records.keys()]) if (!ids.has(id)) forget(id);
    for (const l of list) labs.records.set(l.id, l);
    renderLabs();
  }

  /** Runs one operation on a lab: marks it pending, shows its error in the lab, re-renders. */
  async function labOp(id, what, fn) {
    labs.pending.set(id, what);
    labs.errors.delete(id);
    renderLabs();
    try {
      await fn();
    } catch (e) {
      if (labs.records.has(id)) labs.errors.set(id, e.message);
      else showError(e.message);
    } finally {
      labs.pending.delete(id);
      renderLabs();
    }
  }

  $('#lab-mode').addEventListener('change', () => {
    const multicast = $('#lab-mode').value === 'multicast';
    $('#lab-group').disabled = !multicast;
    if (!multicast) $('#lab-group').value = '';
  });

  $('#lab-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const int = (sel) => {
      const v = $(sel).value.trim();
      return v === '' ? undefined : Number(v);
    };
    const body = {
      mode: $('#lab-mode').value,
      hosts: int('#lab-hosts'),
      vni: int('#lab-vni'),
      port: int('#lab-port'),
      mtu: int('#lab-mtu'),
      endpointsPerHost: int('#lab-endpoints'),
      learning: $('#lab-learning').checked,
      group: $('#lab-group').disabled ? undefined : $('#lab-group').value.trim() || undefined,
    };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const button = $('#lab-create');
    const status = $('#lab-form-status');
    button.disabled = true;
    showError('');
    status.textContent = 'building…';
    try {
      const lab = await api('POST', '/api/labs', body);
      labs.records.set(lab.id, lab);
      status.textContent = `lab ${lab.id} ${lab.state}`;
      renderLabs();
    } catch (e) {
      status.textContent = '';
      showError(e.message);
    } finally {
      button.disabled = false;
    }
  });

  $('#lab-list').addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-action]');
    const el = ev.target.closest('article[data-lab-id]');
    if (!button || !el || button.disabled) return;
    const id = el.dataset.labId;
    const url = `/api/labs/${encodeURIComponent(id)}`;
    switch (button.dataset.action) {
      case 'probe':
        labOp(id, 'probing', async () => {
          const faults = faultKey(labs.records.get(id));
          const result = await api('POST', `${url}/probe`);
          labs.probes.set(id, { result, faults });
        });
        break;
      case 'repair': {
        const faultId = button.dataset.faultId;
        labOp(id, `repairing ${faultId}`, async () => {
          await api('DELETE', `${url}/faults/${encodeURIComponent(faultId)}`);
          const lab = labs.records.get(id);
          if (lab) lab.faults = lab.faults.filter((f) => f.id !== faultId);
          labs.effects.delete(`${id}|${faultId}`);
          labs.effects.delete(`${id}|last`);
        });
        break;
      }
      case 'delete':
        labOp(id, 'deleting', async () => {
          await api('DELETE', url);
          forget(id);
        });
        break;
    }
  });

  $('#lab-list').addEventListener('submit', (ev) => {
    const form = ev.target.closest('form.lab-break');
    const el = ev.target.closest('article[data-lab-id]');
    if (!form || !el) return;
    ev.preventDefault();
    const id = el.dataset.labId;
    const type = form.elements.type.value;
    const host = Number(form.elements.host.value);
    labOp(id, `breaking (${type} on host ${host})`, async () => {
      const fault = await api('POST', `/api/labs/${encodeURIComponent(id)}/faults`, { type, host });
      const lab = labs.records.get(id);
      if (lab && !lab.faults.some((f) => f.id === fault.id)) {
        lab.faults.push({ id: fault.id, type: fault.type, host: fault.host, appliedAt: fault.appliedAt, state: fault.state });
      }
      labs.effects.set(`${id}|${fault.id}`, fault.effect);
      labs.effects.set(`${id}|last`, `${fault.type} on host ${fault.host}: ${fault.effect}`);
    });
  });

  handlers['lab.changed'] = (msg) => {
    const { change, lab } = msg.data;
    if (change === 'deleted') forget(lab.id);
    else labs.records.set(lab.id, lab);
    renderLabs();
  };
  handlers['lab.progress'] = (msg) => {
    labs.progress.set(msg.data.labId, msg.data);
    const lab = labs.records.get(msg.data.labId);
    const el = lab && $('#lab-list').querySelector(`article[data-lab-id="${CSS.escape(lab.id)}"]`);
    if (el) renderProgress(el, lab);
    if (msg.data.phase === 'build') $('#lab-form-status').textContent = `building ${msg.data.labId}: ${msg.data.message}`;
  };

  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.onopen = () => {
      $('#conn').textContent = 'live';
      $('#conn').className = 'badge on';
      loadSnapshot().catch((e) => logChange(`snapshot failed: ${e}`));
      loadLabs().catch((e) => showError(`labs: ${e.message}`));
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
  poll().catch(() => undefined);
  setInterval(() => poll().catch(() => undefined), POLL_MS);
  pollKernel().catch(() => undefined);
  setInterval(() => pollKernel().catch(() => undefined), KERNEL_POLL_MS);
})();
