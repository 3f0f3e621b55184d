// Turns raw text into comparable word tokens: Unicode-normalised, lowercased,
// accents folded (so "Kraków" meets a query typed as "Krakow"), numbers kept
// whole ("1,300,000", "6.04"), possessives dropped.

// Only the diacritics that Latin, Greek and Cyrillic letters decompose into:
// vowel signs of Indic or Thai script are marks too, but they are the word.
const latinDiacritics = /[\u0300-\u036f]+/g;
// Letters that carry no combining mark in NFKD but that people type without the stroke.
const strokeLetters: Record<string, string> = { ł: 'l', đ: 'd', ø: 'o', ħ: 'h', ŧ: 't', ı: 'i', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ð: 'd' };
const strokeLetterPattern = new RegExp(`[${Object.keys(strokeLetters).join('')}]`, 'g');
const tokenPattern = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{M}\p{N}]+(?:['’]\p{L}+)?/gu;
const possessive = /['’]s$/;
const apostrophe = /['’]/g;
// Scripts written without spaces: a run of them is a phrase, not a word.
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(latinDiacritics, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(strokeLetterPattern, (letter) => strokeLetters[letter] ?? letter);
}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of foldText(text).matchAll(tokenPattern)) {
    let token = match[0];
    if (token.includes("'") || token.includes('’')) token = token.replace(possessive, '').replace(apostrophe, '');
    if (unspacedScript.test(token)) pushCharacterBigrams(token, tokens);
    else if (token.length > 0) tokens.push(token);
  }
  return tokens;
}

// Overlapping character pairs are the usual stand-in for words in Chinese and
// Japanese text when no segmenter is available.
function pushCharacterBigrams(run: string, tokens: string[]): void {
  const characters = Array.from(run);
  if (characters.length === 1) {
    tokens.push(run);
    return;
  }
  for (let i = 0; i + 1 < characters.length; i++) tokens.push(characters[i]! + characters[i + 1]!);
}

export function isAsciiWord(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code < 97 || code > 122) return false;
  }
  return true;
}
