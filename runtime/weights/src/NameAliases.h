// Stored-name candidates for a canonical (HF Mamba2) tensor name: the name
// itself, mamba_ssm's singular `backbone.embedding.`, and Codestral's
// `model.` prefix (with or without `backbone.`). Internal to ssdc_weights.
#ifndef SSDC_WEIGHTS_NAMEALIASES_H
#define SSDC_WEIGHTS_NAMEALIASES_H

#include <string>
#include <vector>

namespace ssdc {

/// Candidates in preference order; the first is `name` itself. No duplicates.
std::vector<std::string> aliasCandidates(const std::string &name);

/// The canonical name of the LM head, and of the embeddings it is tied to.
inline constexpr const char *kLmHeadName = "lm_head.weight";
inline constexpr const char *kEmbeddingsName = "backbone.embeddings.weight";

} // namespace ssdc

#endif // SSDC_WEIGHTS_NAMEALIASES_H
