import { parse } from 'csv-parse/sync';

// CSV files from spreadsheets use commas, semicolons (locales with decimal
// commas) or tabs. We let csv-parse itself split a sample with each candidate,
// so quoted delimiters are handled correctly, and keep the delimiter that gives
// the most consistent multi-column rows.

export interface CsvDialect {
  delimiter: string;
  /** Most common number of fields per row in the sample. */
  columns: number;
  /** Share of sampled rows that have exactly `columns` fields. */
  consistency: number;
  rowsSampled: number;
}

const candidateDelimiters = [',', ';', '\t', '|'];
const sampleRows = 50;

function sampleLines(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  // The last line of a sample taken from a file head may be cut in half.
  const complete = text.endsWith('\n') ? lines : lines.slice(0, -1);
  return (complete.length > 0 ? complete : lines).slice(0, sampleRows).join('\n');
}

function modeOf(counts: number[]): { value: number; frequency: number } {
  const frequencies = new Map<number, number>();
  for (const count of counts) frequencies.set(count, (frequencies.get(count) ?? 0) + 1);
  let best = { value: 0, frequency: 0 };
  for (const [value, frequency] of frequencies) {
    if (frequency > best.frequency || (frequency === best.frequency && value > best.value)) best = { value, frequency };
  }
  return best;
}

function measure(sample: string, delimiter: string): CsvDialect | undefined {
  let rows: string[][];
  try {
    rows = parse(sample, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  } catch {
    return undefined;
  }
  if (rows.length === 0) return undefined;
  const mode = modeOf(rows.map((row) => row.length));
  return { delimiter, columns: mode.value, consistency: mode.frequency / rows.length, rowsSampled: rows.length };
}

export function sniffCsvDialect(text: string): CsvDialect {
  const sample = sampleLines(text);
  const dialects = candidateDelimiters
    .map((delimiter) => measure(sample, delimiter))
    .filter((dialect): dialect is CsvDialect => dialect !== undefined && dialect.columns > 1);
  dialects.sort((a, b) => b.consistency - a.consistency || b.columns - a.columns);
  return dialects[0] ?? { delimiter: ',', columns: 1, consistency: 1, rowsSampled: 0 };
}

/** Strict enough that prose with the odd comma is not mistaken for a table. */
export function looksLikeCsv(text: string): boolean {
  const dialect = sniffCsvDialect(text);
  return dialect.columns > 1 && dialect.consistency === 1 && dialect.rowsSampled >= 3;
}
