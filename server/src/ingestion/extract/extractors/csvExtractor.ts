import { parse, type InfoRecord } from 'csv-parse/sync';
import { decodeText, normaliseExtractedText } from '../../../lib/textDecoding.js';
import { ExtractionError, describeCause } from '../extractionError.js';
import type { ExtractedText, TextSpan } from '../types.js';
import { sniffCsvDialect } from './csvDialect.js';
import type { ExtractionInput } from './extractionInput.js';

// A table row means little without its column names, so each row becomes one
// self-describing line ("Team: Blues; Location: STL; Stanley Cups: 1") and rows
// are grouped into spans whose section says which rows they cover, for citations.

const rowsPerSpan = 50;

interface CsvRecord {
  cells: string[];
  /** Line of the file where the record ends (1-based). */
  line: number;
}

function readRecords(text: string, delimiter: string): CsvRecord[] {
  try {
    const parsed = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: InfoRecord }>;
    return parsed
      .map(({ record, info }) => ({ cells: record, line: info.lines }))
      .filter((record) => record.cells.some((cell) => cell !== ''));
  } catch (error) {
    throw new ExtractionError('corrupt', `The CSV file could not be parsed (${describeCause(error)})`);
  }
}

// Exports from spreadsheets often start with a title in the first cell of an
// otherwise empty row, above the real header.
function splitTitle(records: CsvRecord[], columns: number): { title?: string; rest: CsvRecord[] } {
  const first = records[0];
  if (!first || columns < 2 || records.length < 2) return { rest: records };
  const filled = first.cells.filter((cell) => cell !== '');
  return filled.length === 1 ? { title: filled[0]!, rest: records.slice(1) } : { rest: records };
}

function describeRow(headers: string[], cells: string[]): string {
  return cells
    .map((cell, index) => (cell === '' ? undefined : `${headers[index] ?? `Column ${index + 1}`}: ${cell}`))
    .filter((part): part is string => part !== undefined)
    .join('; ');
}

export async function extractCsv({ bytes }: ExtractionInput): Promise<ExtractedText> {
  const text = normaliseExtractedText(decodeText(bytes).text);
  const dialect = sniffCsvDialect(text);
  const { title, rest } = splitTitle(readRecords(text, dialect.delimiter), dialect.columns);
  const [header, ...rows] = rest;
  if (!header) return { spans: title ? [{ text: title }] : [] };

  const headers = header.cells.map((cell, index) => cell || `Column ${index + 1}`);
  const prefix = title ? `${title}, ` : '';
  if (rows.length === 0) {
    return { spans: [{ text: [title, headers.join('; ')].filter(Boolean).join('\n'), section: `${prefix}row ${header.line}` }] };
  }

  const spans: TextSpan[] = [];
  for (let start = 0; start < rows.length; start += rowsPerSpan) {
    const group = rows.slice(start, start + rowsPerSpan);
    const firstLine = group[0]!.line;
    const lastLine = group[group.length - 1]!.line;
    spans.push({
      text: group.map((row) => describeRow(headers, row.cells)).filter(Boolean).join('\n'),
      section: `${prefix}rows ${firstLine}-${lastLine}`,
    });
  }
  // The title is text of the document too; keep it with the first rows.
  if (title && spans[0]) spans[0].text = `${title}\n${spans[0].text}`;
  return { spans };
}
