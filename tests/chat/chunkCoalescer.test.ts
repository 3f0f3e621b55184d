import { ChunkCoalescer } from '../../server/src/chat/chunkCoalescer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chunk coalescing', () => {
  it('sends the first token at once and joins the ones that follow within the window', async () => {
    const sent: string[] = [];
    const chunks = new ChunkCoalescer((t) => sent.push(t), 30);
    chunks.push('a ');
    expect(sent).toEqual(['a ']);
    chunks.push('b ');
    chunks.push('c ');
    expect(sent).toEqual(['a ']);
    await sleep(60);
    expect(sent).toEqual(['a ', 'b c ']);
    chunks.push('d ');
    await sleep(60);
    expect(sent).toEqual(['a ', 'b c ', 'd ']);
  });

  it('flushes what is pending on demand, once', () => {
    const sent: string[] = [];
    const chunks = new ChunkCoalescer((t) => sent.push(t), 1000);
    chunks.push('x');
    chunks.push('y');
    chunks.push('z');
    chunks.flush();
    chunks.flush();
    expect(sent).toEqual(['x', 'yz']);
  });
});
