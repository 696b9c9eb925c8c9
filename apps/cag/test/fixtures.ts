import type { CorpusDocument } from "@app/kit";

const doc = (index: number, year: number, president: string, body: string): CorpusDocument => ({
  key: `sotu-${String(index).padStart(3, "0")}`,
  title: `${president}, State of the Union ${year}`,
  body,
  year,
  president,
  party: "none",
});

/** A small corpus in the shape of the real one, so most tests preload it in a few ms. */
export const FIXTURE_CORPUS: CorpusDocument[] = [
  doc(
    0,
    2001,
    "Ada Lovelace",
    "The economy added two million jobs this year. Factories reopened across the Midwest. " +
      "Inflation stayed low while wages rose for the first time in a decade. " +
      "We will invest in roads, bridges and broadband so that every town can compete.",
  ),
  doc(
    1,
    2002,
    "Grace Hopper",
    "Prescription drug prices fell after Medicare negotiated with the manufacturers. " +
      "Health insurance premiums are still too high for small businesses. " +
      "Our schools need more teachers, and every child deserves a computer.",
  ),
  doc(
    2,
    2003,
    "Alan Turing",
    "Our alliance with Europe is stronger than ever. The troops came home from abroad. " +
      "Climate change threatens farms and coasts, so we will build clean energy at scale. " +
      "Immigration reform will secure the border and welcome those who follow the law.",
  ),
];

/** The same corpus with one address changed: a different context. */
export const CHANGED_CORPUS: CorpusDocument[] = FIXTURE_CORPUS.map((d, i) =>
  i === 2 ? { ...d, body: `${d.body} The space program will return to the Moon.` } : d,
);
