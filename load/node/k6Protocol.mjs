// Keeps load/k6/chatting.js honest: it speaks socket.io by hand (k6 has no
// client), so the smoke run asks one question with the same packet functions
// over a plain WebSocket and checks the answer arrives as chatting.js expects.
// `ws` is the WebSocket library socket.io itself runs on.
import WebSocket from 'ws';
import { connectPacket, decode, emitPacket, PONG, socketIoUrl } from '../k6/socketio.js';

export function chatOverRawSocketIo(api, token, conversationId, content, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketIoUrl(api));
    const t0 = performance.now();
    let ttft;
    let acked = false;
    const finish = (error, value) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error('raw socket.io chat timed out')), timeoutMs);
    socket.on('message', (raw) => {
      const packet = decode(raw.toString());
      if (packet.type === 'open') socket.send(connectPacket(token));
      else if (packet.type === 'ping') socket.send(PONG);
      else if (packet.type === 'connect') socket.send(emitPacket('chat:send', { conversationId, content }, 0));
      else if (packet.type === 'connect_error') finish(new Error(`connect_error ${JSON.stringify(packet.data)}`));
      else if (packet.type === 'ack') {
        if (packet.id !== 0 || !packet.data[0]?.ok) finish(new Error(`chat:send ack ${JSON.stringify(packet.data)}`));
        acked = true;
      } else if (packet.type === 'event' && packet.data?.conversationId === conversationId) {
        if (packet.name === 'chat:chunk') ttft ??= performance.now() - t0;
        else if (packet.name === 'chat:done') finish(acked && ttft !== undefined ? null : new Error(`done without ${acked ? 'a chunk' : 'an ack'}`), { ttft, total: performance.now() - t0 });
        else if (packet.name === 'chat:error') finish(new Error(`chat:error ${JSON.stringify(packet.data.error)}`));
      }
    });
    socket.on('error', (e) => finish(e));
  });
}
