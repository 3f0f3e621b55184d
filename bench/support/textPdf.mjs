// Writes a plain text PDF of N pages (Helvetica, ~450 words a page) so the
// benchmark can measure throughput on documents of any size without shipping them.

const escape = (s) => s.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');

/** Deterministic pseudo-random words from a seed text, so runs are comparable. */
function* wordStream(sourceText) {
  const words = sourceText.split(/\s+/).filter((w) => /^[\x20-\x7e]+$/.test(w) && w.length < 20);
  let state = 42;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield words[state % words.length];
  }
}

export function buildTextPdf(pages, sourceText) {
  const words = wordStream(sourceText);
  const objects = [];
  const add = (body) => objects.push(body) && objects.length;
  const catalog = add(null);
  const pagesObj = add(null);
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const kids = [];
  for (let p = 0; p < pages; p += 1) {
    const lines = [];
    lines.push(`Section ${p + 1}: notes on topic ${p % 17}`);
    for (let l = 0; l < 44; l += 1) {
      let line = '';
      while (line.length < 85) line += `${words.next().value} `;
      lines.push(line.trim());
    }
    const stream = `BT /F1 10 Tf 50 760 Td 15 TL ${lines.map((l) => `(${escape(l)}) Tj T*`).join(' ')} ET`;
    const content = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${pages} >>`;

  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
