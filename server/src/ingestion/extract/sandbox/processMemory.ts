import { readFile } from 'node:fs/promises';

// V8's heap limit does not cover WebAssembly memory (Tesseract), native image
// buffers (sharp, canvas) or worker threads; the kernel's resident-set figure
// for the process does. Linux only: elsewhere this returns undefined and only
// the heap limit applies.
export async function residentMemoryMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}
