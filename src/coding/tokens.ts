/**
 * Text to the words automatic coding counts: natural's tokeniser splits the text, natural's stop
 * words are dropped and the rest are reduced to Porter stems, so that "leaders", "leader" and
 * "leader's" are one feature, as are "risk", "risks" and "risky".
 */
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import AggressiveTokenizer from 'natural/lib/natural/tokenizers/aggressive_tokenizer.js';
import { words as naturalStopWords } from 'natural/lib/natural/util/stopwords.js';

const tokenizer = new AggressiveTokenizer();
const stopWords = new Set(naturalStopWords);

/**
 * The lower-case words of a text. natural's tokeniser keeps `-`, `/` and `'` inside words; they
 * are split here so that "front-line" meets "front line", and the joined form ("frontline") is
 * kept as well, since writers spell such words all three ways. Curly quotes are straightened first,
 * or "people’s" would not meet "people's".
 */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenizer.tokenize(text.toLowerCase().replace(/[‘’`]/g, "'"))) {
    if (!token.includes('-') && !token.includes("'") && !token.includes('/')) {
      out.push(token);
      continue;
    }
    for (const part of token.split(/['/]+/)) {
      const pieces = part.split('-').filter((piece) => piece !== '');
      out.push(...pieces);
      if (pieces.length > 1) out.push(pieces.join(''));
    }
  }
  return out;
}

/**
 * The feature a word counts as, or null for a word that carries no meaning of its own: a stop
 * word, a single character, or a number (years and counts say nothing about a theme).
 */
export function stemWord(word: string): string | null {
  if (word.length < 2 || stopWords.has(word) || /^[0-9]+$/.test(word)) return null;
  return PorterStemmer.stem(word);
}

/** The stems of a text, in order, repeats kept. */
export function stems(text: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) {
    const stem = stemWord(word);
    if (stem !== null) out.push(stem);
  }
  return out;
}
