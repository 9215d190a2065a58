//===- ModelConfig.h - a model description, format-independent -*- C++ -*-===//
//
// What the frontend reads from an HF `Mamba2ForCausalLM` config.json or a
// mamba_ssm config.json, normalised: every size resolved (d_inner, heads,
// padded vocabulary), every default applied. The IR builder and the artifact
// manifest read only this.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_FRONTEND_MODELCONFIG_H
#define SSDC_FRONTEND_MODELCONFIG_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ssdc::frontend {

/// The Mamba-2 mixer of every SSM layer.
struct SSMConfig {
  int64_t dState = 128;   ///< N
  int64_t dConv = 4;      ///< K
  int64_t expand = 2;
  int64_t headDim = 64;   ///< P
  int64_t nGroups = 1;    ///< G
  int64_t chunkSize = 256;
  int64_t dInner = 0;     ///< expand · d_model
  int64_t nHeads = 0;     ///< H = d_inner / P
  bool rmsNorm = true;    ///< gated RMSNorm on the output (else y · silu(z))
  bool normBeforeGate = false;
  bool dHasHdim = false;  ///< D is [H, P] instead of [H]
  bool bias = false;      ///< in_proj / out_proj bias
  bool convBias = true;
  double dtMin = 0.0;     ///< time_step_limit / dt_limit
  double dtMax = std::numeric_limits<double>::infinity();

  int64_t convDim() const { return dInner + 2 * nGroups * dState; }
  int64_t inProjRows() const { return 2 * dInner + 2 * nGroups * dState + nHeads; }
  bool hasDtLimit() const {
    return dtMin != 0.0 || dtMax != std::numeric_limits<double>::infinity();
  }
};

/// mamba_ssm's MHA layers of hybrid models (`attn_cfg`).
struct AttentionConfig {
  int64_t numHeads = 0;
  int64_t numHeadsKV = 0;
  int64_t headDim = 0;
  int64_t rotaryDim = 0;
  double rotaryBase = 10000.0;
  int64_t dConv = 0;          ///< depthwise conv on qkv, 0 = none
  bool qkvBias = true;
  bool outBias = true;
  double softmaxScale = 0.0;  ///< 0: 1/sqrt(head_dim)

  int64_t qkvDim() const { return headDim * (numHeads + 2 * numHeadsKV); }
};

enum class LayerKind { Mamba2, Attention };

struct ModelConfig {
  std::string sourceFile;   ///< for messages
  std::string format;       ///< "hf-mamba2" or "mamba_ssm"
  int64_t dModel = 0;
  int64_t nLayers = 0;
  int64_t vocabSize = 0;    ///< as stored in the embedding (padded)
  int64_t dIntermediate = 0;///< gated-MLP width, 0 = no MLP blocks
  double normEps = 1e-5;
  bool residualInFp32 = true;
  bool tieEmbeddings = true;
  SSMConfig ssm;
  AttentionConfig attn;
  std::vector<LayerKind> layers;

  /// Fields the reader did not know; reported as warnings, never errors.
  std::vector<std::string> ignoredFields;

  int64_t countLayers(LayerKind kind) const;
};

/// Reads `path`: a config.json file or a model directory holding one.
/// Detects the format (HF Mamba2 or mamba_ssm). Errors name the file, the
/// field, the value found and what was expected.
llvm::Expected<ModelConfig> readModelConfig(llvm::StringRef path);

/// Parses config text already read from `fileName` (used by tests and fuzzers).
llvm::Expected<ModelConfig> parseModelConfig(llvm::StringRef text,
                                             llvm::StringRef fileName);

/// The normalised config as JSON (the artifact manifest's "config").
llvm::json::Value toJSON(const ModelConfig &config);

} // namespace ssdc::frontend

#endif // SSDC_FRONTEND_MODELCONFIG_H
