// End-to-end tests against a running Starling (started by broker-server's ConsoleE2ETest):
// MQTT.js connects over WebSocket from Node and, with the Paho JavaScript client, from inside headless
// Chromium; the web console lists clients, shows a message mosquitto_pub sent and publishes one that
// mosquitto_sub receives.
//
// Environment: STARLING_HTTP (http://127.0.0.1:PORT), STARLING_MQTT_PORT, STARLING_WS_PORT,
// STARLING_USER / STARLING_PASSWORD (a user of the password file), CHROMIUM (default /usr/bin/chromium).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { chromium } from 'playwright-core';

const httpUrl = process.env.STARLING_HTTP;
const mqttPort = process.env.STARLING_MQTT_PORT;
const wsPort = process.env.STARLING_WS_PORT;
const username = process.env.STARLING_USER;
const password = process.env.STARLING_PASSWORD;
const credentials = ['-u', username, '-P', password];
// Browser bundles, loaded into the page from the installed packages (no CDN).
const packageFile = (path) => fileURLToPath(new URL('node_modules/' + path, import.meta.url));

async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

function run(command, args, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${command} timed out: ${stdout} ${stderr}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function connectMqttJs(clientId) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`ws://127.0.0.1:${wsPort}/mqtt`, {
      clientId, username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10000,
    });
    client.once('connect', (connack) => resolve({ client, connack }));
    client.once('error', reject);
  });
}

test('MQTT.js connects to Starling over WebSocket, subscribes and gets its own message back', async () => {
  const { client, connack } = await connectMqttJs('e2e-mqttjs-roundtrip');
  try {
    assert.equal(connack.returnCode, 0);
    await client.subscribeAsync('e2e/roundtrip', { qos: 1 });
    const received = new Promise((resolve) => client.once('message', (topic, payload) => resolve([topic, payload.toString()])));
    await client.publishAsync('e2e/roundtrip', 'over websockets', { qos: 1 });
    assert.deepEqual(await received, ['e2e/roundtrip', 'over websockets']);
  } finally {
    await client.endAsync();
  }
});

test('the console lists clients and retained topics, shows a mosquitto_pub message and publishes to mosquitto_sub', async () => {
  const { client: listed } = await connectMqttJs('e2e-listed-client');
  await listed.publishAsync('e2e/retained/greeting', 'kept', { qos: 1, retain: true });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ httpCredentials: { username, password } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(httpUrl + '/');
    assert.equal(response.status(), 200);

    await page.locator('#clients tbody').getByText('e2e-listed-client', { exact: true }).waitFor({ timeout: 10000 });
    await page.locator('#retained tbody').getByText('e2e/retained/greeting', { exact: true }).waitFor({ timeout: 10000 });
    assert.match(await page.locator('#version').textContent(), /version \d/);
    // The broker bridges to itself (connection "self"): the bridges section shows it connected.
    const bridgeRow = page.locator('#bridges tbody tr', { hasText: 'self' });
    await bridgeRow.getByText('yes', { exact: true }).waitFor({ timeout: 15000 });

    await page.fill('#ws-user', username);
    await page.fill('#ws-password', password);
    await page.waitForFunction(() => document.getElementById('ws-url').value.startsWith('ws://'));
    await page.click('#connect');
    await page.locator('#mqtt-status').getByText(/connected as/).waitFor({ timeout: 10000 });
    await page.fill('#sub-topic', 'console/in');
    await page.click('#subscribe');
    await page.locator('#mqtt-status').getByText('subscribed to console/in').waitFor({ timeout: 10000 });

    const pub = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', mqttPort, ...credentials, '-t', 'console/in',
      '-m', 'hello from mosquitto_pub']);
    assert.equal(pub.code, 0, pub.stderr);
    await page.locator('#messages').getByText('console/in hello from mosquitto_pub').waitFor({ timeout: 10000 });

    const sub = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', mqttPort, ...credentials, '-t', 'console/out', '-C', '1',
      '-W', '15', '-v']);
    await page.waitForTimeout(1000); // let mosquitto_sub subscribe
    await page.fill('#pub-topic', 'console/out');
    await page.fill('#pub-payload', 'hello from the console');
    await page.click('#publish');
    const got = await sub;
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), 'console/out hello from the console');

    await page.locator('#clients tbody').getByText(/^starling-console-/).waitFor({ timeout: 10000 });
    assert.ok(await page.locator('#rates').isVisible());
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await listed.publishAsync('e2e/retained/greeting', '', { qos: 1, retain: true });
    await listed.endAsync();
  }
});

test('MQTT.js and the Paho JavaScript client connect from the browser, and each gets a mosquitto_pub message', async () => {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ httpCredentials: { username, password } });
    const page = await context.newPage();
    await page.goto(httpUrl + '/api/v1/version'); // a page of the broker without scripts of its own
    await page.addScriptTag({ path: packageFile('mqtt/dist/mqtt.min.js') });
    await page.addScriptTag({ path: packageFile('paho-mqtt/paho-mqtt.js') });
    const wsUrl = `ws://127.0.0.1:${wsPort}/mqtt`;

    // Both subscribe in the page; each resolves with the first message it gets.
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.evaluate(({ wsUrl, username, password }) => {
      window.problems = [];
      const note = (what) => (e) => window.problems.push(what + ': ' + (e && (e.message || e.errorMessage) || e));
      window.gotMqttJs = new Promise((resolve, reject) => {
        const c = window.mqtt.connect(wsUrl, { clientId: 'browser-mqttjs', username, password, reconnectPeriod: 0 });
        c.on('error', reject);
        c.on('connect', () => c.subscribe('browser/+', { qos: 1 }, (err) => {
          if (err) { reject(err); } else { window.mqttJsReady = true; }
        }));
        c.on('message', (topic, payload) => resolve(topic + ' ' + payload.toString()));
      });
      window.gotPaho = new Promise((resolve, reject) => {
        const c = new window.Paho.Client(wsUrl, 'browser-paho');
        c.onMessageArrived = (m) => resolve(m.destinationName + ' ' + m.payloadString);
        c.connect({
          userName: username, password, mqttVersion: 4, timeout: 10,
          onSuccess: () => c.subscribe('browser/+', { qos: 2, onSuccess: () => { window.pahoReady = true; }, onFailure: reject }),
          onFailure: (e) => reject(new Error(e.errorMessage)),
        });
      });
      window.gotMqttJs.catch(note('MQTT.js'));
      window.gotPaho.catch(note('Paho'));
    }, { wsUrl, username, password });
    await page.waitForFunction(() => (window.mqttJsReady && window.pahoReady) || window.problems.length > 0, null,
      { timeout: 10000 }).catch(() => {});
    assert.deepEqual([...problems, ...await page.evaluate(() => window.problems)], []);
    assert.deepEqual(await page.evaluate(() => [!!window.mqttJsReady, !!window.pahoReady]), [true, true]);

    const pub = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', mqttPort, ...credentials, '-t', 'browser/hello',
      '-q', '1', '-m', 'to both browser clients']);
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal(await page.evaluate(() => window.gotMqttJs), 'browser/hello to both browser clients');
    assert.equal(await page.evaluate(() => window.gotPaho), 'browser/hello to both browser clients');
  } finally {
    await browser.close();
  }
});
