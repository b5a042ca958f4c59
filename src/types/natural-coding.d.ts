// Automatic coding takes natural's tokeniser, Porter stemmer and stop-word list by their own
// modules: the package's index loads every storage back-end (and dotenv, which prints on import).
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}
declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer.js' {
  export default class AggressiveTokenizer {
    tokenize(text: string): string[];
  }
}
declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: string[];
}
// The benchmark measures automatic coding against natural's own naive Bayes classifier.
declare module 'natural/lib/natural/classifiers/bayes_classifier.js' {
  export default class BayesClassifier {
    addDocument(text: string, label: string): void;
    train(): void;
    classify(text: string): string;
  }
}
