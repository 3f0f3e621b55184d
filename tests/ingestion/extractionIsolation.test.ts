import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExtractionError, extractDocument } from '../../server/src/ingestion/extract/index.js';
import { failureOf, fixturePath, useScratchFiles } from './support/documentFixtures.js';

// Extraction runs in a child process with a time limit and a memory bound; a
// file that breaks either costs that file only.

const scannedPdf = fixturePath('pdf/unstructured__loremipsum-flat.pdf');

async function runningChildren(): Promise<string[]> {
  // Give the kernel and libuv a moment to reap a process that was just killed.
  for (let attempt = 0; attempt < 20; attempt++) {
    let listing = '';
    try {
      listing = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    } catch {
      listing = ''; // ps exits 1 when there is no child at all
    }
    const children = listing.split('\n').filter((line) => line.includes('extractionChild'));
    if (children.length === 0) return children;
    await sleep(50);
  }
  return ['still running'];
}

const scratch = useScratchFiles();

describe('time limit', () => {
  it('stops an extraction that runs too long and kills its process', async () => {
    const started = Date.now();
    const error = await failureOf(scannedPdf, { timeoutMs: 300 });
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('Extraction took longer than 0.3 s and was stopped');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await runningChildren()).toEqual([]);
  });
});

describe('memory bound', () => {
  it('stops an extraction that needs more memory than allowed, and only because of the bound', async () => {
    // 36 MB of CSV: the parsed rows need several hundred MiB.
    const file = scratch.pathOf('contacts.csv');
    const rows = Array.from({ length: 400_000 }, (_, id) => `${id},Person ${id},person${id}@example.com,City ${id % 100},Notes about person ${id}`);
    await writeFile(file, ['id,name,email,city,notes', ...rows].join('\n'));

    const error = await failureOf(file, { maxMemoryMb: 256 });
    expect(error.code).toBe('out_of_memory');
    expect(error.message).toBe('Extraction needed more than 256 MiB of memory and was stopped');
    expect(await runningChildren()).toEqual([]);

    const result = await extractDocument(file, { maxMemoryMb: 1536 });
    expect(result.spans.at(-1)?.text.split('\n').at(-1)).toBe(
      'id: 399999; name: Person 399999; email: person399999@example.com; city: City 99; notes: Notes about person 399999',
    );
  }, 120_000);
});

describe('the caller survives failures', () => {
  it('keeps extracting after timeouts and memory failures, also concurrently', async () => {
    const outcomes = await Promise.allSettled([
      extractDocument(scannedPdf, { timeoutMs: 200 }),
      extractDocument(scannedPdf, { maxMemoryMb: 150 }),
      extractDocument(fixturePath('docx/mammoth__single-paragraph.docx')),
      extractDocument(fixturePath('misc/unstructured__fake-text-utf-16-be.txt')),
    ]);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as ExtractionError).code : 'ok'))).toEqual([
      'timeout',
      'out_of_memory',
      'ok',
      'ok',
    ]);
    const after = await extractDocument(fixturePath('pdf/pdfjs__pdfjs_wikipedia.pdf'));
    expect(after.spans[0]?.text).toContain('PDF.js');
  }, 120_000);
});

describe('size checks happen before any process starts', () => {
  it('refuses a file over the size limit', async () => {
    const error = await failureOf(fixturePath('pdf/unstructured__multi-column.pdf'), { maxFileBytes: 100 * 1024 });
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('The file is 0.4 MiB (limit 0.1 MiB)');
  });

  it('refuses an empty file', async () => {
    const file = scratch.pathOf('empty.pdf');
    await writeFile(file, '');
    const error = await failureOf(file);
    expect(error.code).toBe('empty');
    expect(error.message).toBe('The file is empty');
  });

  it('reports a missing file without leaking its path', async () => {
    const error = await failureOf(scratch.pathOf('missing.pdf'));
    expect(error.code).toBe('internal');
    expect(error.message).toBe('The file to extract could not be opened (ENOENT)');
  });
});
