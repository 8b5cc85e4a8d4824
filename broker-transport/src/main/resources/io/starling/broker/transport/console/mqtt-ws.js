'use strict';
/*
 * A minimal MQTT 3.1.1 client over WebSocket for the console, so that nothing is loaded from
 * elsewhere: CONNECT (with user name and password), SUBSCRIBE, PUBLISH at QoS 0, receiving at any
 * QoS (with the acknowledgements QoS 1 and 2 need), and PINGREQ for the keepalive.
 * Subprotocol "mqtt"; the bytes of packets may be split over frames or share one (MQTT 5 §6).
 */
class MqttWs {
  constructor(url, { clientId, username, password, keepAlive = 30 } = {}) {
    this.url = url;
    this.clientId = clientId || 'starling-console-' + Math.random().toString(16).slice(2, 10);
    this.username = username || null;
    this.password = password || null;
    this.keepAlive = keepAlive;
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = new Uint8Array(0);
    this.onMessage = () => {};
    this.onClose = () => {};
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, ['mqtt']);
      ws.binaryType = 'arraybuffer';
      this.ws = ws;
      this.connAck = { resolve, reject };
      ws.onopen = () => ws.send(this.connectPacket());
      ws.onmessage = (e) => this.read(new Uint8Array(e.data));
      ws.onerror = () => reject(new Error('WebSocket error'));
      ws.onclose = () => {
        clearInterval(this.pinger);
        reject(new Error('connection closed'));
        this.onClose();
      };
    });
  }

  subscribe(filter, qos = 0) {
    const id = this.packetId();
    const body = [...MqttWs.u16(id), ...MqttWs.str(filter), qos];
    this.ws.send(MqttWs.packet(0x82, body));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  publish(topic, payload, { retain = false } = {}) {
    const body = [...MqttWs.str(topic), ...new TextEncoder().encode(payload)];
    this.ws.send(MqttWs.packet(0x30 | (retain ? 1 : 0), body));
  }

  close() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(new Uint8Array([0xe0, 0]));
      this.ws.close();
    }
  }

  connectPacket() {
    let flags = 0x02; // clean session
    const payload = [...MqttWs.str(this.clientId)];
    if (this.username !== null) {
      flags |= 0x80;
      payload.push(...MqttWs.str(this.username));
      if (this.password !== null) {
        flags |= 0x40;
        payload.push(...MqttWs.str(this.password));
      }
    }
    const header = [...MqttWs.str('MQTT'), 4, flags, ...MqttWs.u16(this.keepAlive)];
    return MqttWs.packet(0x10, [...header, ...payload]);
  }

  packetId() {
    const id = this.nextId;
    this.nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  read(bytes) {
    const joined = new Uint8Array(this.buffer.length + bytes.length);
    joined.set(this.buffer);
    joined.set(bytes, this.buffer.length);
    let at = 0;
    while (joined.length - at >= 2) {
      let length = 0, multiplier = 1, i = at + 1, complete = false;
      while (i < joined.length) {
        const b = joined[i++];
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        if ((b & 0x80) === 0) { complete = true; break; }
      }
      if (!complete || joined.length - i < length) break;
      this.handle(joined[at], joined.subarray(i, i + length));
      at = i + length;
    }
    this.buffer = joined.slice(at);
  }

  handle(first, body) {
    const type = first >> 4;
    if (type === 2) { // CONNACK
      if (body[1] === 0) {
        this.pinger = setInterval(() => this.ws.send(new Uint8Array([0xc0, 0])), this.keepAlive * 500);
        this.connAck.resolve();
      } else {
        this.connAck.reject(new Error('connection refused, return code ' + body[1]));
      }
    } else if (type === 9) { // SUBACK
      const id = (body[0] << 8) | body[1];
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (p) body[2] === 0x80 ? p.reject(new Error('subscription refused')) : p.resolve(body[2]);
    } else if (type === 3) { // PUBLISH
      const qos = (first >> 1) & 3;
      const topicLength = (body[0] << 8) | body[1];
      const topic = new TextDecoder().decode(body.subarray(2, 2 + topicLength));
      let at = 2 + topicLength;
      if (qos > 0) {
        const id = [body[at], body[at + 1]];
        at += 2;
        this.ws.send(new Uint8Array([qos === 1 ? 0x40 : 0x50, 2, ...id]));
      }
      this.onMessage(topic, new TextDecoder().decode(body.subarray(at)), { qos, retain: (first & 1) === 1 });
    } else if (type === 6) { // PUBREL
      this.ws.send(new Uint8Array([0x70, 2, body[0], body[1]]));
    }
  }

  static packet(first, body) {
    const length = [];
    let n = body.length;
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      length.push(b);
    } while (n > 0);
    return new Uint8Array([first, ...length, ...body]);
  }

  static u16(n) {
    return [(n >> 8) & 0xff, n & 0xff];
  }

  static str(s) {
    const bytes = new TextEncoder().encode(s);
    return [...MqttWs.u16(bytes.length), ...bytes];
  }
}
