//===- TuningDbTest.cpp - tuning database parsing and lookup --------------===//

#include "passes/TuningDb.h"

#include <gtest/gtest.h>

using namespace ssdc;

namespace {

const char *kDb = R"({"format": "ssdc-tuning-db", "version": 1, "entries": [
  {"target": "cuda-sm90", "device": "H100", "op": "sma", "dtype": "bf16",
   "b": [1, 4], "l": [513, null], "h": 80, "p": 64, "g": 1, "n": 128,
   "times_us": {"chunked-128": 90.5, "quadratic": 300}}]})";

TuningKey key(int64_t b, int64_t l, std::string device = "") {
  return {"cuda-sm90", device, "sma", "bf16", b, l, 80, 64, 1, 128};
}

TEST(TuningDb, LookupByRanges) {
  llvm::Expected<TuningDb> db = TuningDb::parse(kDb, "db.json");
  ASSERT_TRUE(static_cast<bool>(db)) << llvm::toString(db.takeError());
  const TuningEntry *e = db->lookup(key(2, 100000));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->timesUs.size(), 2u);
  EXPECT_EQ(e->timesUs[0].first.str(), "chunked-128");
  EXPECT_DOUBLE_EQ(e->timesUs[0].second, 90.5);
  EXPECT_EQ(db->lookup(key(2, 512)), nullptr);  // below the l range
  EXPECT_EQ(db->lookup(key(5, 1024)), nullptr); // above the b range
  EXPECT_NE(db->lookup(key(1, 513, "H100")), nullptr);
  EXPECT_EQ(db->lookup(key(1, 513, "H200")), nullptr);
  TuningKey other = key(1, 1024);
  other.dtype = "f32";
  EXPECT_EQ(db->lookup(other), nullptr);
}

TEST(TuningDb, ChunkedFormMustMatchWhereBothSayOne) {
  llvm::Expected<TuningDb> db = TuningDb::parse(
      R"({"format": "ssdc-tuning-db", "version": 1, "entries": [
        {"target": "cuda-sm90", "op": "sma", "dtype": "bf16", "chunked_form": "staged",
         "h": 80, "p": 64, "g": 1, "n": 128, "times_us": {"chunked-64": 50}}]})",
      "db.json");
  ASSERT_TRUE(static_cast<bool>(db)) << llvm::toString(db.takeError());
  TuningKey k = key(1, 1024);
  EXPECT_NE(db->lookup(k), nullptr);  // the compile says none
  k.chunkedForm = "staged";
  EXPECT_NE(db->lookup(k), nullptr);
  k.chunkedForm = "fused";
  EXPECT_EQ(db->lookup(k), nullptr);
  EXPECT_EQ(db->entries()[0].chunkedForm, "staged");
}

std::string errorOf(const char *text) {
  llvm::Expected<TuningDb> db = TuningDb::parse(text, "db.json");
  return db ? std::string() : llvm::toString(db.takeError());
}

TEST(TuningDb, ErrorsNameFileAndField) {
  EXPECT_EQ(errorOf(R"({"format": "ssdc-tuning-db", "version": 7, "entries": []})"),
            "tuning-db 'db.json': $.version: is 7, this ssdc reads version 1");
  EXPECT_EQ(errorOf(R"({"format": "x", "version": 1, "entries": []})"),
            "tuning-db 'db.json': $.format: expected \"ssdc-tuning-db\", got 'x'");
  EXPECT_EQ(errorOf(R"({"format": "ssdc-tuning-db", "version": 1, "entries": [
      {"target": "cuda-sm90", "op": "sma", "dtype": "bf16", "h": 80, "p": 64,
       "g": 1, "n": 128, "times_us": {"quadratic": -1}}]})"),
            "tuning-db 'db.json': $.entries[0].times_us.quadratic: expected a "
            "positive number of microseconds");
  EXPECT_EQ(errorOf(R"({"format": "ssdc-tuning-db", "version": 1, "entries": [
      {"target": "cuda-sm90", "op": "sma", "dtype": "bf16", "l": [9, 3],
       "h": 80, "p": 64, "g": 1, "n": 128, "times_us": {"quadratic": 1}}]})"),
            "tuning-db 'db.json': $.entries[0].l: upper bound must be null or "
            "an integer >= lo");
  EXPECT_NE(errorOf("{").find("$: invalid JSON"), std::string::npos);
  EXPECT_EQ(errorOf(R"({"format": "ssdc-tuning-db", "version": 1, "entries": [
      {"target": "cuda-sm90", "op": "sma", "dtype": "bf16", "chunked_form": "both",
       "h": 80, "p": 64, "g": 1, "n": 128, "times_us": {"quadratic": 1}}]})"),
            "tuning-db 'db.json': $.entries[0].chunked_form: expected \"staged\" or "
            "\"fused\", got 'both'");
}

} // namespace
