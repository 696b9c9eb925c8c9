export type { CachedAnswer, CacheScope, NewAnswer } from "./answer-cache.ts";
export { AnswerCache } from "./answer-cache.ts";
export type { AskOptions, AskResult, AskTimings } from "./answer-service.ts";
export { AnswerService } from "./answer-service.ts";
export type { CagApp } from "./cag-app.ts";
export { createCagApp } from "./cag-app.ts";
export type { CacheOutcome, CagMetrics, PromptEvalEvent } from "./cag-metrics.ts";
export { CagOptionError } from "./cag-option-error.ts";
export type { CagAppOptions } from "./cag-options.ts";
export type { ChatOutcome, ChatStats } from "./llm-chat.ts";
export { cagMessages, chatWithContext } from "./llm-chat.ts";
export type { LocalLlm, LocalLlmOptions } from "./local-llm.ts";
export { openLocalLlm } from "./local-llm.ts";
export { cagMigrations } from "./migrations.ts";
export { normalizeQuestion } from "./normalize-question.ts";
export type { ContextDocumentInfo, PreloadedContext } from "./preloaded-context.ts";
export { buildContext, CONTEXT_INSTRUCTIONS, contextHash } from "./preloaded-context.ts";
export {
  defaultSemanticThreshold,
  FALLBACK_SEMANTIC_THRESHOLD,
  SEMANTIC_THRESHOLDS,
} from "./semantic-threshold.ts";
export { estimateTokens } from "./token-estimate.ts";
export type { WarmupReport } from "./warm-up.ts";
