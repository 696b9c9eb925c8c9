/** The version `/api/version` reports (a recent Ollama's, so clients take every feature). */
export const STANDIN_VERSION = "0.12.0";

// A fixed date, so that `/api/tags` is byte-identical across runs.
const MODIFIED_AT = "2024-01-01T00:00:00Z";

/** The two models a stand-in serves. */
export interface StandinModels {
  chatModel: string;
  embedModel: string;
  dimensions: number;
}

/**
 * The canonical name of a model as Ollama lists it: `name:tag`, with `latest` as the default tag.
 *
 * @example
 * ```ts
 * canonicalModel("standin-chat"); // "standin-chat:latest"
 * ```
 */
export function canonicalModel(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/**
 * Whether `requested` names one of the stand-in's models (with or without `:latest`), and which.
 *
 * @example
 * ```ts
 * findModel(models, "standin-embed:latest"); // "embed"
 * findModel(models, "llama3.2"); // undefined
 * ```
 */
export function findModel(models: StandinModels, requested: string): "chat" | "embed" | undefined {
  const wanted = canonicalModel(requested);
  if (wanted === canonicalModel(models.chatModel)) return "chat";
  if (wanted === canonicalModel(models.embedModel)) return "embed";
  return undefined;
}

/**
 * The `/api/tags` listing: one entry per model, in Ollama's shape. `size` and `digest` are made
 * up but stable; `details.family` says what each is.
 *
 * @example
 * ```ts
 * listModels(models).models[0].name; // "standin-chat:latest"
 * ```
 */
export function listModels(models: StandinModels) {
  return {
    models: [
      describeModel(models.chatModel, "standin-chat", "1B"),
      describeModel(models.embedModel, `standin-embed-${models.dimensions}d`, "0"),
    ],
  };
}

/**
 * The `/api/ps` listing: the models some slot holds, as Ollama lists loaded models.
 *
 * @example
 * ```ts
 * runningModels(models, ["standin-chat"]).models.length; // 1
 * ```
 */
export function runningModels(models: StandinModels, loaded: readonly string[]) {
  const expiresAt = new Date(Date.now() + 5 * 60_000).toISOString();
  return {
    models: listModels(models)
      .models.filter((entry) => loaded.some((name) => canonicalModel(name) === entry.name))
      .map((entry) => ({ ...entry, expires_at: expiresAt, size_vram: 0 })),
  };
}

function describeModel(name: string, family: string, parameterSize: string) {
  const canonical = canonicalModel(name);
  return {
    name: canonical,
    model: canonical,
    modified_at: MODIFIED_AT,
    size: 1_000_000 + canonical.length,
    digest: digestOf(canonical),
    details: {
      parent_model: "",
      format: "gguf",
      family,
      families: [family],
      parameter_size: parameterSize,
      quantization_level: "F32",
    },
  };
}

function digestOf(name: string): string {
  return new Bun.CryptoHasher("sha256").update(name).digest("hex");
}
