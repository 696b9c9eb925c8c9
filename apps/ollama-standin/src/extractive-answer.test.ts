import { describe, expect, it } from "bun:test";
import { answerChat, extractAnswer, NO_ANSWER, splitChat } from "./extractive-answer.ts";

const CONTEXT =
  "The treaty was signed in 1947. Wheat prices rose sharply after the war. " +
  "The treaty ended the dispute over the northern border. Schools opened in every county.";

describe("splitChat", () => {
  it("takes the last user message as the question and system and earlier user messages as context", () => {
    const { question, context } = splitChat([
      { role: "system", content: "Fact one." },
      { role: "user", content: "Fact two." },
      { role: "assistant", content: "Ignored." },
      { role: "user", content: "What is it?" },
    ]);
    expect(question).toBe("What is it?");
    expect(context).toBe("Fact one.\nFact two.");
  });

  it("takes the text after the last Question: line, and what precedes it as context", () => {
    const { question, context } = splitChat([
      {
        role: "user",
        content: "Context:\nCats purr.\nQuestion: a decoy?\nQuestion: Do cats purr?",
      },
    ]);
    expect(question).toBe("Do cats purr?");
    expect(context).toContain("Cats purr.");
    expect(context).toContain("a decoy?");
  });
});

describe("extractAnswer", () => {
  it("quotes the sentence that best matches the question first", () => {
    const answer = extractAnswer("When was the treaty signed?", CONTEXT);
    expect(answer.startsWith("The treaty was signed in 1947.")).toBe(true);
    expect(answer).not.toContain("Wheat");
  });

  it("quotes at most three sentences, each sharing a content word with the question", () => {
    const context = "Taxes rose. Taxes fell. Taxes rose again. Taxes were cut. Birds sing.";
    const answer = extractAnswer("What happened to taxes?", context);
    expect(answer.split(". ").length).toBeLessThanOrEqual(3);
    expect(answer).not.toContain("Birds");
  });

  it("matches words that share their stem", () => {
    expect(
      extractAnswer("How is the economic outlook?", "The economy is strong. Birds sing."),
    ).toBe("The economy is strong.");
  });

  it("answers the fixed sentence when no sentence shares a content word", () => {
    expect(extractAnswer("Who won the election?", CONTEXT)).toBe(NO_ANSWER);
    expect(extractAnswer("What is it?", CONTEXT)).toBe(NO_ANSWER);
    expect(extractAnswer("When was the treaty signed?", "")).toBe(NO_ANSWER);
  });

  it("gives the same answer for the same input", () => {
    const q = "What happened after the war?";
    expect(extractAnswer(q, CONTEXT)).toBe(extractAnswer(q, CONTEXT));
  });
});

describe("answerChat", () => {
  it("answers from a system prompt and a question message", () => {
    expect(
      answerChat([
        { role: "system", content: CONTEXT },
        { role: "user", content: "Which border did the dispute concern?" },
      ]),
    ).toBe("The treaty ended the dispute over the northern border.");
  });
});
