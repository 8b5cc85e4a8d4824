'use strict';
/*
 * The Starling web console: polls the HTTP API of the listener that served it (clients, retained
 * topics, $SYS values for the rate chart, the cluster view when the broker is in a cluster) and talks MQTT over WebSocket to the broker's websockets
 * listener. The browser sends the login it was asked for (HTTP Basic) with every API call.
 */
const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;
const HISTORY = 90;
const rates = { received: [], sent: [], last: null };
let mqtt = null;

async function api(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.headers.get('Content-Type').startsWith('application/json') ? r.json() : r.text();
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  row.appendChild(td);
}

function fill(tableId, rows, columns) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    columns.forEach((c) => cell(tr, r[c]));
    return tr;
  }));
}

async function refresh() {
  try {
    const [clients, retained, tree] = await Promise.all([api('/api/v1/clients'), api('/api/v1/retained'),
      api('/api/v1/systree')]);
    fill('clients', clients.clients, ['id', 'username', 'address', 'protocol', 'keepalive', 'subscriptions',
      'inflight', 'queued']);
    $('client-count').textContent = '(' + clients.clients.length + (clients.more ? '+' : '') + ')';
    fill('retained', retained.retained, ['topic', 'bytes']);
    $('retained-count').textContent = '(' + retained.retained.length + (retained.more ? '+' : '') + ')';
    sample(tree);
    $('status').textContent = 'up ' + tree['$SYS/broker/uptime'] + ' s';
  } catch (e) {
    $('status').textContent = e.message;
  }
  await refreshCluster();
  await refreshBridges();
}

/* The bridges section shows only for a broker with bridges (connection sections). */
async function refreshBridges() {
  let bridges = [];
  try {
    bridges = (await api('/api/v1/bridges')).bridges;
  } catch (e) {
    bridges = [];
  }
  $('bridges-section').hidden = bridges.length === 0;
  fill('bridges', bridges.map((b) => ({ ...b, connected: b.connected ? 'yes' : 'no' })),
    ['name', 'connected', 'address', 'messagesSent', 'messagesReceived', 'connections']);
}

/* The cluster section shows only for a broker in a cluster ({"enabled":false} otherwise, 403 without access). */
async function refreshCluster() {
  let cluster;
  try {
    cluster = await api('/api/v1/cluster');
  } catch (e) {
    cluster = { enabled: false };
  }
  $('cluster-section').hidden = !cluster.enabled;
  if (!cluster.enabled) return;
  const up = cluster.members.filter((m) => m.up).length;
  $('cluster-summary').textContent = '(' + cluster.name + ': this node ' + cluster.node + ', ' + up + ' of '
    + cluster.members.length + ' up, leader ' + (cluster.leader || 'none') + ', term ' + cluster.term
    + (cluster.majority ? '' : ', NO MAJORITY: new connections refused') + ')';
  fill('cluster-members', cluster.members.map((m) => ({
    node: m.node, up: m.up ? 'yes' : 'no',
    role: [m.self ? 'this node' : '', m.leader ? 'leader' : ''].filter((x) => x).join(', '),
  })), ['node', 'up', 'role']);
  // Without the node links running, a row has only the node and its routes.
  fill('cluster-links', cluster.links.map((l) => ({ ...l, connected: l.connected === undefined ? '' : l.connected ? 'yes' : 'no' })),
    ['node', 'connected', 'routes', 'forwardedOut', 'forwardedIn', 'resent', 'duplicates', 'dropped', 'unacknowledged']);
}

function sample(tree) {
  const now = performance.now();
  const received = tree['$SYS/broker/publish/messages/received'];
  const sent = tree['$SYS/broker/publish/messages/sent'];
  if (rates.last && received !== undefined) {
    const seconds = (now - rates.last.at) / 1000;
    push(rates.received, Math.max(0, (received - rates.last.received) / seconds));
    push(rates.sent, Math.max(0, (sent - rates.last.sent) / seconds));
    $('rate-now').textContent = 'now: ' + rates.received.at(-1).toFixed(1) + ' in, ' + rates.sent.at(-1).toFixed(1) + ' out';
  }
  rates.last = { at: now, received, sent };
  draw();
}

function push(series, value) {
  series.push(value);
  if (series.length > HISTORY) series.shift();
}

function draw() {
  const canvas = $('rates');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 24;
  g.clearRect(0, 0, w, h);
  const max = Math.max(1, ...rates.received, ...rates.sent);
  g.fillStyle = '#7a8394';
  g.font = '11px sans-serif';
  g.fillText(max.toFixed(1) + '/s', 2, 12);
  g.strokeStyle = '#eceff3';
  g.beginPath();
  g.moveTo(pad, h - pad);
  g.lineTo(w, h - pad);
  g.stroke();
  [[rates.received, '#2f7ed8'], [rates.sent, '#e07b24']].forEach(([series, color]) => {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    series.forEach((v, i) => {
      const x = pad + (w - pad) * i / (HISTORY - 1);
      const y = h - pad - (h - 2 * pad) * v / max;
      i === 0 ? g.moveTo(x, y) : g.lineTo(x, y);
    });
    g.stroke();
  });
}

function log(text) {
  const li = document.createElement('li');
  li.textContent = text;
  $('messages').prepend(li);
}

async function chooseWebSocketUrl() {
  const { listeners } = await api('/api/v1/listeners');
  const ws = listeners.find((l) => l.protocol === 'websockets');
  if (ws) {
    $('ws-url').value = (ws.tls ? 'wss://' : 'ws://') + location.hostname + ':' + ws.port + '/mqtt';
  } else {
    $('mqtt-status').textContent = 'no websockets listener configured';
  }
}

$('connect-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (mqtt) mqtt.close();
  mqtt = new MqttWs($('ws-url').value, { username: $('ws-user').value || null, password: $('ws-password').value || null });
  mqtt.onMessage = (topic, payload) => log(topic + ' ' + payload);
  mqtt.onClose = () => { $('mqtt-status').textContent = 'disconnected'; };
  $('mqtt-status').textContent = 'connecting…';
  try {
    await mqtt.connect();
    $('mqtt-status').textContent = 'connected as ' + mqtt.clientId;
  } catch (err) {
    $('mqtt-status').textContent = err.message;
  }
});

$('subscribe-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const filter = $('sub-topic').value;
  try {
    await mqtt.subscribe(filter, 0);
    $('mqtt-status').textContent = 'subscribed to ' + filter;
  } catch (err) {
    $('mqtt-status').textContent = err.message;
  }
});

$('publish-form').addEventListener('submit', (e) => {
  e.preventDefault();
  mqtt.publish($('pub-topic').value, $('pub-payload').value, { retain: $('pub-retain').checked });
  $('mqtt-status').textContent = 'published to ' + $('pub-topic').value;
});

api('/api/v1/version').then((v) => { $('version').textContent = 'version ' + v; }).catch(() => {});
chooseWebSocketUrl().catch((e) => { $('mqtt-status').textContent = e.message; });
refresh();
setInterval(refresh, POLL_MS);
