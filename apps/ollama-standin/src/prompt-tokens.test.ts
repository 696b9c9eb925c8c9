import { describe, expect, it } from "bun:test";
import { renderPrompt } from "./prompt-template.ts";
import { promptTokens } from "./prompt-tokens.ts";
import { tokenize } from "./tokenize.ts";

describe("promptTokens", () => {
  it("equals tokenize(renderPrompt(messages)), for short and long (cached) contents", () => {
    const long = "Railroads reached the territories, and farmers' tariffs fell. ".repeat(3_000);
    const conversations = [
      [],
      [{ role: "user", content: "Hi, you!" }],
      [
        { role: "system", content: long },
        { role: "user", content: "Question: what (if anything) fell?" },
        { role: "assistant", content: "" },
      ],
    ];
    for (const messages of conversations) {
      expect(promptTokens(messages)).toEqual(tokenize(renderPrompt(messages)));
      expect(promptTokens(messages)).toEqual(tokenize(renderPrompt(messages)));
    }
  });
});
