// Martin Porter's 1980 suffix-stripping algorithm ("The Porter Stemming
// Algorithm", tartarus.org/martin/PorterStemmer), so "connected", "connecting"
// and "connection" share one feature. It expects a lowercase ASCII word; the
// caller leaves other scripts alone.

const step2Suffixes: Record<string, string> = {
  ational: 'ate', tional: 'tion', enci: 'ence', anci: 'ance', izer: 'ize', bli: 'ble', alli: 'al',
  entli: 'ent', eli: 'e', ousli: 'ous', ization: 'ize', ation: 'ate', ator: 'ate', alism: 'al',
  iveness: 'ive', fulness: 'ful', ousness: 'ous', aliti: 'al', iviti: 'ive', biliti: 'ble', logi: 'log',
};
const step3Suffixes: Record<string, string> = { icate: 'ic', ative: '', alize: 'al', iciti: 'ic', ical: 'ic', ful: '', ness: '' };

// In Porter's notation a word is [C](VC){m}[V]; m is its "measure".
const consonant = '[^aeiou]';
const vowel = '[aeiouy]';
const consonantRun = `${consonant}[^aeiouy]*`;
const vowelRun = `${vowel}[aeiou]*`;
const measureAtLeast1 = new RegExp(`^(${consonantRun})?${vowelRun}${consonantRun}`);
const measureExactly1 = new RegExp(`^(${consonantRun})?${vowelRun}${consonantRun}(${vowelRun})?$`);
const measureAtLeast2 = new RegExp(`^(${consonantRun})?${vowelRun}${consonantRun}${vowelRun}${consonantRun}`);
const containsVowel = new RegExp(`^(${consonantRun})?${vowel}`);
const endsConsonantVowelConsonant = new RegExp(`^${consonantRun}${vowel}[^aeiouwxy]$`);

const step1aSses = /^(.+?)(ss|i)es$/;
const step1aS = /^(.+?)([^s])s$/;
const step1bEed = /^(.+?)eed$/;
const step1bEdIng = /^(.+?)(ed|ing)$/;
const step1bRestoreE = /(at|bl|iz)$/;
const step1bDoubleConsonant = /([^aeiouylsz])\1$/;
const step1cY = /^(.+?)y$/;
const step2 = /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/;
const step3 = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/;
const step4 = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/;
const step4Ion = /^(.+?)(s|t)(ion)$/;
const step5E = /^(.+?)e$/;

export function porterStem(word: string): string {
  if (word.length < 3) return word;
  // An initial y is a consonant; upper-casing it keeps the vowel patterns off it.
  const startsWithY = word.startsWith('y');
  let w = startsWithY ? `Y${word.slice(1)}` : word;

  let match = step1aSses.exec(w) ?? step1aS.exec(w);
  if (match) w = match[1]! + match[2]!;

  match = step1bEed.exec(w);
  if (match) {
    if (measureAtLeast1.test(match[1]!)) w = w.slice(0, -1);
  } else {
    match = step1bEdIng.exec(w);
    if (match && containsVowel.test(match[1]!)) {
      w = match[1]!;
      if (step1bRestoreE.test(w)) w += 'e';
      else if (step1bDoubleConsonant.test(w)) w = w.slice(0, -1);
      else if (endsConsonantVowelConsonant.test(w)) w += 'e';
    }
  }

  match = step1cY.exec(w);
  if (match && containsVowel.test(match[1]!)) w = `${match[1]!}i`;

  match = step2.exec(w);
  if (match && measureAtLeast1.test(match[1]!)) w = match[1]! + step2Suffixes[match[2]!]!;

  match = step3.exec(w);
  if (match && measureAtLeast1.test(match[1]!)) w = match[1]! + step3Suffixes[match[2]!]!;

  match = step4.exec(w);
  if (match) {
    if (measureAtLeast2.test(match[1]!)) w = match[1]!;
  } else {
    match = step4Ion.exec(w);
    if (match && measureAtLeast2.test(match[1]! + match[2]!)) w = match[1]! + match[2]!;
  }

  match = step5E.exec(w);
  if (match) {
    const stem = match[1]!;
    if (measureAtLeast2.test(stem) || (measureExactly1.test(stem) && !endsConsonantVowelConsonant.test(stem))) w = stem;
  }
  if (w.endsWith('ll') && measureAtLeast2.test(w)) w = w.slice(0, -1);

  return startsWithY ? `y${w.slice(1)}` : w;
}
