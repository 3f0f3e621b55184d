// Defaults sized for a 2-core, few-GB server handling office documents: generous
// for real files, small enough that one hostile file cannot starve the others.
export interface ZipLimits {
  /** Entries in the archive's central directory. */
  maxEntries: number;
  /** Sum of the declared uncompressed sizes of all entries. */
  maxUncompressedBytes: number;
  /** Uncompressed / compressed size of any entry bigger than 1 MiB once expanded. */
  maxCompressionRatio: number;
}

export interface ExtractionLimits {
  /** Wall-clock time for the whole extraction, process start included. */
  timeoutMs: number;
  /** Resident memory of the extraction process (heap, WebAssembly and native buffers). */
  maxMemoryMb: number;
  maxFileBytes: number;
  maxPages: number;
  /** Decoded pixels of one image or rendered page; sharp refuses bigger inputs. */
  maxImagePixels: number;
  zip: ZipLimits;
}

export const defaultExtractionLimits: ExtractionLimits = {
  timeoutMs: 120_000,
  maxMemoryMb: 1024,
  maxFileBytes: 50 * 1024 * 1024,
  maxPages: 2000,
  maxImagePixels: 100_000_000,
  zip: {
    maxEntries: 10_000,
    maxUncompressedBytes: 512 * 1024 * 1024,
    maxCompressionRatio: 100,
  },
};

export type ExtractionLimitOverrides = Partial<Omit<ExtractionLimits, 'zip'>> & { zip?: Partial<ZipLimits> };

export function resolveLimits(overrides: ExtractionLimitOverrides = {}): ExtractionLimits {
  const { zip, ...rest } = overrides;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const definedZip = Object.fromEntries(Object.entries(zip ?? {}).filter(([, value]) => value !== undefined));
  return {
    ...defaultExtractionLimits,
    ...defined,
    zip: { ...defaultExtractionLimits.zip, ...definedZip },
  };
}
