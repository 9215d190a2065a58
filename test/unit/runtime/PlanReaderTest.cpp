// Regression tests for the artifact readers (runtime/core): inputs found by
// fuzz/FuzzPlan.cpp that escaped as nlohmann exceptions (no file name in the
// message) or hit undefined behaviour (a float id converted to int64).
#include "runtime/core/Artifact.h"
#include "runtime/core/Error.h"
#include "runtime/core/Plan.h"

#include <gtest/gtest.h>

#include <string>

using nlohmann::json;
using ssdc::rt::RuntimeError;

namespace {

json minimalPlan() {
  return json::parse(R"({"plan_version": 1, "module": {}, "entries": [
    {"name": "decode", "attributes": {},
     "buffers": [{"id": 0, "kind": "input", "dtype": "i64", "shape": ["b", 1],
                  "ssd.input": "input_ids"},
                 {"id": 1, "kind": "activation", "dtype": "f32", "shape": ["b", 4]}],
     "launches": [{"kernel": "embedding", "op": "ssd.embedding",
                   "inputs": [0], "outputs": [1]}],
     "outputs": [{"buffer": 1, "ssd.output": "logits"}]}]})");
}

std::string planError(const json &j) {
  try {
    ssdc::rt::parsePlan(j, "art/plan.json");
  } catch (const RuntimeError &e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(PlanReader, MinimalPlanParses) {
  ssdc::rt::Plan p = ssdc::rt::parsePlan(minimalPlan(), "art/plan.json");
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].lMax, 1);
  EXPECT_EQ(p.entries[0].outputs[0].role, "logits");
}

TEST(PlanReader, FloatBufferIdIsAnErrorNamingTheFile) {
  json j = minimalPlan();
  j["entries"][0]["launches"][0]["inputs"][0] = 1.8446744073709552e21;
  EXPECT_EQ(planError(j), "art/plan.json: entry 'decode' launch 'embedding': "
                          "a buffer id must be an integer");
  j["entries"][0]["launches"][0]["inputs"][0] = "0";
  EXPECT_NE(planError(j).find("a buffer id must be an integer"), std::string::npos);
}

TEST(PlanReader, WrongTypesNameTheFile) {
  json j = minimalPlan();
  j["module"] = 3;
  EXPECT_EQ(planError(j), "art/plan.json: plan: field 'module' must be an object");
  j = minimalPlan();
  j["entries"][0]["attributes"]["ssd.l_max"] = 1e30;
  EXPECT_EQ(planError(j),
            "art/plan.json: entry 'decode': field 'ssd.l_max' must be an integer");
  j = minimalPlan();
  j["entries"][0]["buffers"][0]["ssd.input"] = 7;
  EXPECT_EQ(planError(j), "art/plan.json: entry 'decode' buffer 0: field "
                          "'ssd.input' must be a string");
  j = minimalPlan();
  j["entries"] = 5;
  EXPECT_EQ(planError(j), "art/plan.json: plan: field 'entries' must be a list");
  j = minimalPlan();
  j["entries"][0]["launches"][0]["attrs"] = {{"operand_segments", "x"}};
  EXPECT_NE(planError(j).find("art/plan.json: "), std::string::npos);
}

std::string manifestError(const json &m) {
  ssdc::rt::Artifact a;
  a.manifest = m;
  try {
    ssdc::rt::checkManifest(a, "art/manifest.json", "cpu");
  } catch (const RuntimeError &e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ManifestReader, Checks) {
  json m = {{"format", "ssdc-artifact"}, {"format_version", 1}, {"target", "cpu"}};
  EXPECT_EQ(manifestError(m), "(accepted)");
  // 2^32 + 1 used to be read as an int: version 1, accepted.
  m["format_version"] = 4294967297LL;
  EXPECT_EQ(manifestError(m), "art/manifest.json: format_version 4294967297, but "
                              "this ssdc reads format_version 1; recompile the "
                              "model with this ssdc");
  m["format_version"] = 1;
  m["target"] = 5;
  EXPECT_EQ(manifestError(m), "art/manifest.json: field 'target' must be a string");
  m["target"] = "cpu";
  m["format"] = 1;
  EXPECT_NE(manifestError(m).find("not an ssdc artifact manifest"), std::string::npos);
}

} // namespace
