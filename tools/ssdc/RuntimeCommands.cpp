//===- RuntimeCommands.cpp - `ssdc eval` and `ssdc generate` --------------===//
//
// Runtime side of the driver (no MLIR): load an artifact and weights, run the
// prefill plan (eval) or prefill + decode (generate). Errors are caught here,
// printed, and turned into exit code 1 (2 for a bad command line).
//
//===----------------------------------------------------------------------===//

#include "tools/ssdc/CliArgs.h"
#include "tools/ssdc/Commands.h"

#include "runtime/core/Error.h"
#include "runtime/gen/Generate.h"
#include "runtime/gen/LoadedModel.h"
#include "runtime/io/SafetensorsWriter.h"

#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/WeightsError.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace ssdc::driver {
namespace {

using rt::RuntimeError;

/// The output must not be one of the inputs.
void checkOutput(const std::string &output, const std::vector<std::string> &inputs) {
  struct stat so {};
  if (stat(output.c_str(), &so) != 0)
    return;
  for (const std::string &in : inputs) {
    struct stat si {};
    if (stat(in.c_str(), &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
      throw UsageError("--output " + output + " is the same file as the input " + in +
                       "; refusing to overwrite it");
  }
}

int fail(const std::string &command, const std::exception &e, bool usage) {
  std::fprintf(stderr, "ssdc %s: %s%s\n", command.c_str(),
               usage ? "" : "error: ", e.what());
  if (usage)
    std::fprintf(stderr, "(see ssdc %s --help)\n", command.c_str());
  return usage ? 2 : 1;
}

const char *kEvalHelp =
    "usage: ssdc eval ARTIFACT --weights W --input-ids IN.safetensors\n"
    "                 --output OUT.safetensors [--device cpu|cuda] [--check-weights]\n"
    "                 [--check]\n"
    "\n"
    "Runs the prefill plan on the int64 `input_ids` [batch, len] of IN and writes\n"
    "float32 `logits` [batch, len, vocab] to OUT. W is a model directory\n"
    "(config.json + safetensors) or one .safetensors file. --check runs the\n"
    "float64 reference beside every SSD, conv1d and RMSNorm launch (CPU) and\n"
    "prints the worst relative error per layer.\n";

const char *kGenerateHelp =
    "usage: ssdc generate ARTIFACT --weights W (--prompt-ids 1,2,3 | --prompt TEXT)\n"
    "                     --max-new-tokens N [--temperature T] [--top-k K]\n"
    "                     [--top-p P] [--seed S] [--output OUT.safetensors]\n"
    "                     [--device cpu|cuda] [--check-weights] [--check]\n"
    "\n"
    "Greedy unless a sampling flag is given. Prints the new tokens as they come\n"
    "(text for byte-level models) and tokens/s at the end. OUT gets int64\n"
    "`tokens` [N] and float32 `step_logits` [N, vocab].\n"
    "\n"
    "A batch: --prompt-ids 1,2,3;4,5 (';' between sequences, any lengths). Each\n"
    "is prefilled on its own, then all decode together; sequence i samples with\n"
    "seed S + i; OUT gets `tokens` [B, N] and `step_logits` [B, N, vocab].\n";

/// --check: the float64 reference beside the CPU kernels (docs/reliability.md).
/// Refuses --check off the CPU (called before anything is loaded).
void validateCheck(Args &a) {
  if (a.switches["--check"] && a.values.count("--device") &&
      a.values["--device"] != "cpu")
    throw UsageError("--check compares the CPU kernels with the float64 "
                     "reference; use it with --device cpu");
}

void enableCheck(rt::LoadedModel &model, Args &a) {
  if (a.switches["--check"] && model.cpuExecutor())
    model.cpuExecutor()->enableReferenceCheck();
}

void printCheck(rt::LoadedModel &model) {
  if (rt::CpuExecutor *cpu = model.cpuExecutor())
    if (const rt::ReferenceCheck *c = cpu->referenceCheck())
      std::fputs(c->report().c_str(), stderr);
}

} // namespace

int evalCommand(int argc, char **argv) {
  try {
    Args a = parse(argc, argv, {"--weights", "--input-ids", "--output", "--device"},
                   {"--check-weights", "--check"});
    if (a.switches["--help"]) {
      std::fputs(kEvalHelp, stdout);
      return 0;
    }
    if (a.positional.size() != 1)
      throw UsageError("give exactly one ARTIFACT");
    validateCheck(a);
    for (const char *f : {"--weights", "--input-ids", "--output"})
      if (!a.values.count(f))
        throw UsageError(std::string("missing ") + f);
    std::string output = a.values["--output"], input = a.values["--input-ids"];
    checkOutput(output, {input, a.values["--weights"], a.positional[0]});
    try {
      auto file = SafetensorsFile::open(input);
      const TensorInfo *ids = file->find("input_ids");
      if (!ids)
        throw RuntimeError(input + ": has no tensor 'input_ids'");
      if (ids->shape.size() != 2 || ids->shape[0] < 1 || ids->shape[1] < 1)
        throw RuntimeError(input + ": 'input_ids' must be [batch, len] with both "
                                   ">= 1, got " + formatShape(ids->shape));
      std::vector<int64_t> tokens = readInt64(*ids);
      int64_t batch = ids->shape[0], length = ids->shape[1];
      rt::LoadedModel model(a.positional[0], a.values["--weights"],
                            a.values.count("--device") ? a.values["--device"] : "cpu",
                            a.switches["--check-weights"]);
      enableCheck(model, a);
      const rt::Entry &entry = model.artifact().plan.select("prefill", length);
      rt::RunResult r = model.runner()(entry, tokens, batch, length, {});
      for (float v : r.logits.data)
        if (!std::isfinite(v))
          throw RuntimeError("the logits hold a non-finite value; stopping");
      rt::SafetensorsWriter w;
      w.addF32("logits", r.logits.shape, std::move(r.logits.data));
      w.write(output);
      printCheck(model);
      std::fprintf(stderr, "ssdc eval: wrote logits [%lld, %lld, %lld] to %s (%s)\n",
                   (long long)batch, (long long)length, (long long)r.logits.shape[2],
                   output.c_str(), entry.name.c_str());
    } catch (const WeightsError &e) {
      throw RuntimeError(e.what());
    }
    return 0;
  } catch (const UsageError &e) {
    return fail("eval", e, true);
  } catch (const std::exception &e) {
    return fail("eval", e, false);
  }
}

int generateCommand(int argc, char **argv) {
  try {
    Args a = parse(argc, argv,
                   {"--weights", "--prompt-ids", "--prompt", "--max-new-tokens",
                    "--temperature", "--top-k", "--top-p", "--seed", "--output",
                    "--device"},
                   {"--check-weights", "--check"});
    if (a.switches["--help"]) {
      std::fputs(kGenerateHelp, stdout);
      return 0;
    }
    if (a.positional.size() != 1)
      throw UsageError("give exactly one ARTIFACT");
    validateCheck(a);
    if (!a.values.count("--weights"))
      throw UsageError("missing --weights");
    if (a.values.count("--prompt-ids") == a.values.count("--prompt"))
      throw UsageError("give one of --prompt-ids or --prompt");
    if (!a.values.count("--max-new-tokens"))
      throw UsageError("missing --max-new-tokens");
    int64_t maxNew = toInt("--max-new-tokens", a.values["--max-new-tokens"], 1,
                           1000000);
    rt::SamplingOptions so;
    if (a.values.count("--temperature"))
      so.temperature = toDouble("--temperature", a.values["--temperature"], 0, 100);
    if (a.values.count("--top-k"))
      so.topK = toInt("--top-k", a.values["--top-k"], 1, 1 << 30);
    if (a.values.count("--top-p"))
      so.topP = toDouble("--top-p", a.values["--top-p"], 1e-9, 1);
    if (a.values.count("--seed"))
      so.seed = toInt("--seed", a.values["--seed"], 0, INT64_MAX);
    bool sampling = a.values.count("--temperature") || a.values.count("--top-k") ||
                    a.values.count("--top-p");
    if (sampling && so.temperature == 0)
      so.temperature = 1.0;
    std::string output = a.values.count("--output") ? a.values["--output"] : "";
    if (!output.empty())
      checkOutput(output, {a.values["--weights"], a.positional[0]});

    rt::LoadedModel model(a.positional[0], a.values["--weights"],
                          a.values.count("--device") ? a.values["--device"] : "cpu",
                          a.switches["--check-weights"]);
    enableCheck(model, a);
    // Prompts: one text, or ids with ';' between the sequences of a batch.
    std::vector<std::vector<int64_t>> prompts;
    if (a.values.count("--prompt")) {
      if (!model.byteLevel())
        throw UsageError("--prompt TEXT needs a byte-level model (vocab 256); "
                         "this one has vocab " + std::to_string(model.vocab()) +
                         ": give --prompt-ids");
      prompts.emplace_back();
      for (unsigned char c : a.values["--prompt"])
        prompts.back().push_back(c);
    } else {
      std::stringstream seqs(a.values["--prompt-ids"]);
      std::string seq;
      while (std::getline(seqs, seq, ';')) {
        prompts.emplace_back();
        std::stringstream ss(seq);
        std::string item;
        while (std::getline(ss, item, ','))
          prompts.back().push_back(toInt("--prompt-ids", item, 0, INT64_MAX));
      }
      if (prompts.empty())
        prompts.emplace_back();
    }
    int64_t vocab = model.vocab();
    for (const std::vector<int64_t> &prompt : prompts) {
      if (prompt.empty())
        throw UsageError("the prompt is empty");
      for (int64_t id : prompt)
        if (vocab > 0 && id >= vocab)
          throw UsageError("prompt id " + std::to_string(id) +
                           " is outside the vocabulary [0, " +
                           std::to_string(vocab) + ")");
    }
    bool text = model.byteLevel();
    rt::SafetensorsWriter w;
    if (prompts.size() == 1) {
      const std::vector<int64_t> &prompt = prompts[0];
      rt::Sampler sampler(so);
      if (text)
        for (int64_t id : prompt)
          std::fputc(static_cast<int>(id), stdout);
      rt::Generation g = rt::generate(
          *model.decoder(), model.artifact().plan, prompt, maxNew, sampler,
          [&](int64_t token) {
            if (text)
              std::fputc(static_cast<int>(token), stdout);
            else
              std::fprintf(stdout, "%lld ", (long long)token);
            std::fflush(stdout);
          });
      std::fputc('\n', stdout);
      std::fprintf(stderr,
                   "ssdc generate: prompt %zu tokens in %.3f s (%.1f tokens/s); "
                   "%lld new tokens in %.3f s (%.1f tokens/s)\n",
                   prompt.size(), g.prefillSeconds,
                   prompt.size() / g.prefillSeconds, (long long)g.tokens.size(),
                   g.decodeSeconds,
                   g.tokens.size() > 1 ? (g.tokens.size() - 1) / g.decodeSeconds
                                       : 0.0);
      int64_t n = g.tokens.size();
      w.addI64("tokens", {n}, g.tokens);
      w.addF32("step_logits", {n, g.vocab}, std::move(g.stepLogits));
    } else {
      // A batch: sequence i samples with seed + i.
      std::vector<rt::Sampler> samplers;
      for (size_t i = 0; i < prompts.size(); ++i) {
        rt::SamplingOptions si = so;
        si.seed = so.seed + i;
        samplers.emplace_back(si);
      }
      std::vector<rt::Generation> gs = rt::generateBatch(
          *model.decoder(), model.artifact().plan, prompts, maxNew, samplers);
      std::vector<int64_t> tokens;
      std::vector<float> steps;
      for (size_t i = 0; i < gs.size(); ++i) {
        std::fprintf(stdout, "[%zu] ", i);
        for (int64_t t : gs[i].tokens) {
          if (text)
            std::fputc(static_cast<int>(t), stdout);
          else
            std::fprintf(stdout, "%lld ", (long long)t);
        }
        std::fputc('\n', stdout);
        tokens.insert(tokens.end(), gs[i].tokens.begin(), gs[i].tokens.end());
        steps.insert(steps.end(), gs[i].stepLogits.begin(), gs[i].stepLogits.end());
      }
      std::fprintf(stderr,
                   "ssdc generate: %zu sequences; prefill %.3f s; %lld decode "
                   "steps in %.3f s (%.1f tokens/s)\n",
                   gs.size(), gs[0].prefillSeconds, (long long)maxNew,
                   gs[0].decodeSeconds,
                   maxNew > 1 ? gs.size() * (maxNew - 1) / gs[0].decodeSeconds : 0.0);
      int64_t b = gs.size();
      w.addI64("tokens", {b, maxNew}, std::move(tokens));
      w.addF32("step_logits", {b, maxNew, gs[0].vocab}, std::move(steps));
    }
    if (!output.empty())
      w.write(output);
    printCheck(model);
    return 0;
  } catch (const UsageError &e) {
    return fail("generate", e, true);
  } catch (const WeightsError &e) {
    return fail("generate", e, false);
  } catch (const std::exception &e) {
    return fail("generate", e, false);
  }
}

} // namespace ssdc::driver
