import type { CorpusDocument } from "@app/kit";

/**
 * A small corpus with facts that sit in one known place each, in the shape `loadCorpus()` gives.
 * Bodies are long enough to make several chunks at `chunkMaxChars: 300`.
 */
export const FIXTURE_CORPUS: CorpusDocument[] = [
  {
    key: "fx-000",
    title: "Ada Lovelace, Address on Engines 1843",
    year: 1843,
    president: "Ada Lovelace",
    party: "none",
    body:
      "The analytical engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves. " +
      "Its mill performs the operations and its store holds the numbers. " +
      "The engine might compose elaborate pieces of music of any degree of complexity. " +
      "Bernoulli numbers can be computed by a sequence of operations set out on cards. " +
      "The punched cards direct the engine through every step of the calculation.",
  },
  {
    key: "fx-001",
    title: "Gregor Mendel, Address on Peas 1866",
    year: 1866,
    president: "Gregor Mendel",
    party: "none",
    body:
      "Garden peas were crossed over eight years in the monastery garden. " +
      "Dominant and recessive traits appear in the ratio of three to one in the second generation. " +
      "Seed shape and seed colour are inherited independently of each other. " +
      "Wrinkled seeds return after a generation in which every seed was round. " +
      "The factors of heredity do not blend but stay distinct.",
  },
  {
    key: "fx-002",
    title: "Marie Curie, Address on Radium 1911",
    year: 1911,
    president: "Marie Curie",
    party: "none",
    body:
      "Radium was isolated from tons of pitchblende in a drafty shed. " +
      "Polonium was named after the country of my birth. " +
      "Radioactivity is an atomic property and does not depend on chemical combination. " +
      "The glowing tubes of radium salts lit the laboratory at night. " +
      "Measurements with the electrometer made the discovery possible.",
  },
  {
    key: "fx-003",
    title: "Rachel Carson, Address on Pesticides 1962",
    year: 1962,
    president: "Rachel Carson",
    party: "none",
    body:
      "The robins fell silent in the towns that sprayed elm trees with DDT. " +
      "Pesticides travel through the food chain and concentrate in birds of prey. " +
      "Eagles laid eggs with shells too thin to survive incubation. " +
      "Rivers carried the poison from the fields into the fish. " +
      "A spring without birdsong is the warning of this book.",
  },
];
