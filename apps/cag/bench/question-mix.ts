/** Topics the State of the Union addresses of 2020–2021 speak of, for generated questions. */
const TOPICS = [
  "jobs",
  "taxes",
  "health care",
  "prescription drugs",
  "infrastructure",
  "immigration",
  "the border",
  "China",
  "trade",
  "manufacturing",
  "energy",
  "climate change",
  "education",
  "child care",
  "veterans",
  "the military",
  "police",
  "voting rights",
  "the pandemic",
  "vaccines",
  "small businesses",
  "wages",
  "unions",
  "broadband",
  "roads and bridges",
  "clean water",
  "cancer research",
  "the opioid crisis",
  "gun violence",
  "Afghanistan",
  "Iran",
  "Russia",
  "NATO",
  "space",
  "farmers",
  "pensions",
  "Medicare",
  "Social Security",
  "housing",
  "student debt",
  "the economy",
  "unemployment",
  "the stock market",
  "women",
  "families",
  "religious liberty",
  "abortion",
  "criminal justice",
  "the Supreme Court",
  "democracy",
  "the Capitol",
  "cyber attacks",
  "semiconductors",
  "electric vehicles",
  "the middle class",
  "billionaires",
  "corporations",
  "inflation",
  "trade deals",
  "tariffs",
];

/** One generated ask, and what the mix meant it to be. */
export interface MixedQuestion {
  question: string;
  kind: "repeated" | "reworded" | "fresh";
}

/**
 * A seeded stream of questions: `fresh` ones never asked before ("What did the president say
 * about X?", then X and Y, X in Z, ... as the single topics run out), `repeated` ones asked
 * before word for word (exact hits), and `reworded` ones that reorder an asked question ("About
 * X, what did the president say?", a semantic hit for the stand-in's embeddings).
 *
 * @example
 * ```ts
 * const mix = new QuestionMix({ repeated: 60, reworded: 20, fresh: 20, seed: 42 });
 * mix.next(); // { question: "What did the president say about jobs?", kind: "fresh" }
 * ```
 */
export class QuestionMix {
  readonly #weights: [number, number, number];
  readonly #asked: string[] = [];
  #freshIndex = 0;
  #state: number;

  constructor(options: { repeated: number; reworded: number; fresh: number; seed: number }) {
    this.#weights = [options.repeated, options.reworded, options.fresh];
    this.#state = options.seed >>> 0 || 1;
  }

  next(): MixedQuestion {
    const total = this.#weights[0] + this.#weights[1] + this.#weights[2];
    const roll = this.#random() * total;
    if (this.#asked.length === 0 || roll >= this.#weights[0] + this.#weights[1]) {
      const topic = this.#freshTopic();
      this.#asked.push(topic);
      return { question: `What did the president say about ${topic}?`, kind: "fresh" };
    }
    const topic = this.#asked[Math.floor(this.#random() * this.#asked.length)]!;
    if (roll < this.#weights[0]) {
      return { question: `What did the president say about ${topic}?`, kind: "repeated" };
    }
    return { question: `About ${topic}, what did the president say?`, kind: "reworded" };
  }

  #freshTopic(): string {
    const i = this.#freshIndex++;
    const n = TOPICS.length;
    if (i < n) return TOPICS[i]!;
    // Pairs next: "X and Y" share half their words with "X", well under the threshold.
    const pair = i - n;
    const a = TOPICS[pair % n]!;
    const b = TOPICS[(Math.floor(pair / n) + 1 + (pair % n)) % n]!;
    return `${a} and ${b}`;
  }

  // xorshift32: deterministic, so every run asks the same questions in the same order.
  #random(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 2 ** 32;
  }
}
