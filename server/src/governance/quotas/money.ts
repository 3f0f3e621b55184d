// Money is counted in whole micro-dollars (1e-6 USD, the price table's
// precision) so sums and comparisons are exact integers, never floats.

type DecimalLike = { toString(): string } | number | string;

const MICROS_PER_USD = 1_000_000n;

/** Exact value of a decimal with up to 6 places, in millionths (a BigInt). */
function toMillionths(value: DecimalLike): bigint {
  const text = typeof value === 'number' ? value.toFixed(6) : value.toString().trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole = '', fraction = ''] = match;
  // Beyond 6 places, round half up on the 7th digit.
  const padded = (fraction + '0000000').slice(0, 7);
  let units = BigInt(whole || '0') * MICROS_PER_USD + BigInt(padded.slice(0, 6));
  if (Number(padded[6]) >= 5) units += 1n;
  return sign === '-' ? -units : units;
}

export function usdToMicros(value: DecimalLike): number {
  return Number(toMillionths(value));
}

export function microsToUsd(micros: number): number {
  return Math.round(micros) / 1_000_000;
}

export interface PricedModel {
  inputPricePerMTok: DecimalLike;
  outputPricePerMTok: DecimalLike;
}

/** Cost of a call from the model's prices (USD per million tokens), rounded to 6 decimals (half up). */
export function costOf(model: PricedModel, promptTokens: number, completionTokens: number): number {
  // tokens × (price in millionths of USD per million tokens) = cost in 1e-12 USD.
  const picos = BigInt(Math.max(0, Math.trunc(promptTokens))) * toMillionths(model.inputPricePerMTok) + BigInt(Math.max(0, Math.trunc(completionTokens))) * toMillionths(model.outputPricePerMTok);
  const micros = (picos + 500_000n) / 1_000_000n;
  return Number(micros) / 1_000_000;
}
