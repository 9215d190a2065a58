// SafetensorsFile: round trips of every dtype through a real mmap'd file,
// metadata, ids, and every validation error (each message must name the file
// and the tensor and state expected vs. actual).
#include "SafetensorsWriter.h"

#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/WeightsError.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ssdc;
using namespace ssdc::test;

namespace {

constexpr const char *kD = "backbone.layers.0.mixer.D";

// Writes `bytes` to DIR/model.safetensors and opens it.
struct FileCase {
  std::string dir = freshDir();
  std::string path = dir + "/model.safetensors";
  std::unique_ptr<SafetensorsFile> open(const Bytes &b) {
    writeBytes(path, b);
    return SafetensorsFile::open(path);
  }
  std::string error(const Bytes &b, std::initializer_list<std::string> frags) {
    writeBytes(path, b);
    return expectError<WeightsError>([&] { SafetensorsFile::open(path); }, frags);
  }
};

} // namespace

TEST(SafetensorsFile, F32RoundTripBitExact) {
  std::vector<uint32_t> bits = {0x3F800000u, 0xC0200000u, 0x00000001u,
                                0x7F800000u, 0xFF800000u, 0x7FC00001u};
  FileCase c;
  auto f = c.open(image({{"w", "F32", {2, 3}, u32Bytes(bits)}}));
  ASSERT_EQ(f->tensors().size(), 1u);
  const TensorInfo *t = f->find("w");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dtype, DType::F32);
  EXPECT_EQ(t->shape, (Shape{2, 3}));
  EXPECT_EQ(t->nbytes, 24u);
  EXPECT_EQ(t->file, c.path);
  EXPECT_EQ(std::memcmp(t->data, bits.data(), 24), 0);
}

TEST(SafetensorsFile, SeveralDTypesAndOffsets) {
  FileCase c;
  auto f = c.open(image({{"a.bf16", "BF16", {3}, u16Bytes({0x3F80, 0xC000, 0x7F80})},
                         {"b.f16", "F16", {2, 2}, u16Bytes({0x3C00, 0x0001, 0x7C00, 0x8000})},
                         {"c.f32", "F32", {1}, f32Bytes({0.5f})},
                         {"ids", "I64", {2}, i64Bytes({7, -3})},
                         {"scalar", "F32", {}, f32Bytes({4.0f})},
                         {"empty", "F32", {0, 5}, {}}}));
  ASSERT_EQ(f->tensors().size(), 6u);
  // Sorted by name.
  EXPECT_EQ(f->tensors()[0].name, "a.bf16");
  EXPECT_EQ(f->tensors()[5].name, "scalar");
  const TensorInfo *a = f->find("a.bf16");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, DType::BF16);
  EXPECT_EQ(a->data[0], 0x80); // little-endian 0x3F80
  EXPECT_EQ(a->data[1], 0x3F);
  const TensorInfo *b = f->find("b.f16");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->data - a->data, 6); // placed right after a's 6 bytes
  EXPECT_EQ(readInt64(*f->find("ids")), (std::vector<int64_t>{7, -3}));
  EXPECT_EQ(f->find("scalar")->numel(), 1);
  EXPECT_EQ(f->find("empty")->nbytes, 0u);
  EXPECT_EQ(f->find("nope"), nullptr);
  expectError<WeightsError>([&] { readInt64(*a); },
                            {c.path, "'a.bf16'", "BF16", "I64 or I32"});
}

TEST(SafetensorsFile, MetadataAndI32) {
  FileCase c;
  std::vector<int32_t> v = {1, -2, 3};
  Bytes b(12);
  std::memcpy(b.data(), v.data(), 12);
  auto f = c.open(image({{"x", "I32", {3}, b}}, {{"format", "pt"}}));
  EXPECT_EQ(f->metadata().at("format"), "pt");
  EXPECT_EQ(readInt64(*f->find("x")), (std::vector<int64_t>{1, -2, 3}));
}

TEST(SafetensorsFile, FromMemoryUsesLabel) {
  Bytes img = image({{"x", "F32", {2}, f32Bytes({1, 2})}});
  auto f = SafetensorsFile::fromMemory(img.data(), img.size(), "buf");
  EXPECT_EQ(f->find("x")->file, "buf");
  Bytes bad = img;
  bad.resize(bad.size() - 1);
  expectError<WeightsError>(
      [&] { SafetensorsFile::fromMemory(bad.data(), bad.size(), "buf"); },
      {"buf: tensor 'x'", "truncated"});
}

TEST(SafetensorsFileErrors, MissingAndEmptyFile) {
  std::string dir = freshDir();
  expectError<WeightsError>([&] { SafetensorsFile::open(dir + "/no.safetensors"); },
                            {dir + "/no.safetensors", "cannot open"});
  expectError<WeightsError>([&] { SafetensorsFile::open(dir); },
                            {dir, "not a regular file"});
  FileCase c;
  c.error({}, {c.path, "file is 0 bytes", "too short"});
  c.error({1, 2, 3}, {c.path, "file is 3 bytes"});
}

TEST(SafetensorsFileErrors, HeaderLengthBeyondFile) {
  FileCase c;
  auto [h, d] = headerAndData({{"x", "F32", {2}, f32Bytes({1, 2})}});
  Bytes img = rawImage(h, d, true, 0, uint64_t(1000));
  std::string msg = c.error(img, {c.path, "header length 1000 bytes",
                                  "beyond the file",
                                  std::to_string(img.size() - 8) + " bytes follow"});
  // Absurd length (e.g. a text file read as safetensors).
  c.error(rawImage(h, d, true, 0, uint64_t(1) << 60),
          {c.path, "header length 1152921504606846976", "beyond the file",
           "not a safetensors file"});
  // File cut in the middle of the header.
  Bytes cut = image({{"x", "F32", {2}, f32Bytes({1, 2})}});
  cut.resize(20);
  c.error(cut, {c.path, "beyond the file", "12 bytes follow"});
}

TEST(SafetensorsFileErrors, HeaderNotJsonOrNotObject) {
  FileCase c;
  c.error(rawImage("{\"x\": {\"dtype\": ", {}), {c.path, "not valid JSON"});
  c.error(rawImage("[1, 2, 3]", {}), {c.path, "header is a JSON array",
                                     "expected an object"});
  c.error(rawImage("", {}, false), {c.path, "header length is 0"});
  std::string deep(200, '[');
  c.error(rawImage(deep + std::string(200, ']'), {}), {c.path, "nested deeper"});
}

TEST(SafetensorsFileErrors, UnknownDType) {
  FileCase c;
  c.error(image({{"ok", "F32", {1}, f32Bytes({1})},
                 {"w8", "F8_E4M3", {4}, Bytes(4)}}),
          {c.path, "tensor 'w8'", "unsupported dtype 'F8_E4M3'",
           "supported: F32, BF16, F16, I64, I32"});
}

TEST(SafetensorsFileErrors, SpanDoesNotMatchShape) {
  FileCase c;
  // D claims [24] F32 (96 bytes) but its offsets cover 40.
  std::string msg =
      c.error(image({{"a", "F32", {25}, f32Iota(25)},
                     {kD, "F32", {24}, Bytes(40), std::make_pair(100, 140)}}),
              {c.path});
  EXPECT_NE(msg.find(c.path + ": tensor '" + kD +
                     "': data_offsets [100, 140] span 40 bytes, but shape [24] "
                     "of F32 needs 96"),
            std::string::npos)
      << msg;
  c.error(image({{"h", "BF16", {3, 2}, Bytes(10)}}),
          {c.path, "tensor 'h'", "span 10 bytes", "shape [3, 2] of BF16 needs 12"});
}

TEST(SafetensorsFileErrors, OffsetsBeyondDataSection) {
  FileCase c;
  // Header is consistent (span 96 == [24] F32) but only 40 data bytes exist.
  c.error(image({{kD, "F32", {24}, Bytes(40), std::make_pair(0, 96)}}),
          {c.path, std::string("tensor '") + kD + "'", "data_offsets [0, 96]",
           "beyond the data section of 40 bytes"});
}

TEST(SafetensorsFileErrors, TruncatedFile) {
  FileCase c;
  Bytes img = image({{"first", "F32", {4}, f32Iota(4)},
                     {"second", "F32", {8}, f32Iota(8)}});
  const size_t full = img.size();
  img.resize(full - 5); // half-downloaded
  c.error(img, {c.path, "tensor 'second'", "truncated",
                "file is " + std::to_string(full - 5) + " bytes",
                "needs " + std::to_string(full)});
}

TEST(SafetensorsFileErrors, OverlappingTensors) {
  FileCase c;
  c.error(image({{"a", "F32", {4}, f32Iota(4), std::make_pair(0, 16)},
                 {"b", "F32", {4}, f32Iota(4), std::make_pair(8, 24)},
                 {"c", "F32", {2}, f32Iota(2), std::make_pair(24, 32)}}),
          {c.path, "'a' [0, 16]", "'b' [8, 24]", "overlap"});
  // A tensor nested inside a larger one, not adjacent in begin order.
  c.error(image({{"big", "F32", {8}, f32Iota(8), std::make_pair(0, 32)},
                 {"mid", "F32", {1}, f32Iota(1), std::make_pair(4, 8)},
                 {"x", "F32", {1}, Bytes(0), std::make_pair(20, 24)}}),
          {c.path, "'big' [0, 32]", "'mid' [4, 8]", "overlap"});
  // Zero-size tensors and adjacent tensors are fine.
  auto f = c.open(image({{"a", "F32", {2}, f32Iota(2)},
                         {"z", "F32", {0}, {}, std::make_pair(4, 4)},
                         {"b", "F32", {2}, f32Iota(2)}}));
  EXPECT_EQ(f->tensors().size(), 3u);
}

TEST(SafetensorsFileErrors, MalformedEntries) {
  FileCase c;
  c.error(rawImage("{\"t\": 5}", {}), {c.path, "tensor 't'", "entry is a number", "expected an object"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [1]}}", Bytes(4)),
          {c.path, "tensor 't'", "missing \"data_offsets\""});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [-1], "
                   "\"data_offsets\": [0, 4]}}", Bytes(4)),
          {c.path, "tensor 't'", "shape value -1 is negative"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [1.5], "
                   "\"data_offsets\": [0, 4]}}", Bytes(4)),
          {c.path, "tensor 't'", "shape holds a number"});
  c.error(rawImage("{\"t\": {\"dtype\": 3, \"shape\": [1], "
                   "\"data_offsets\": [0, 4]}}", Bytes(4)),
          {c.path, "tensor 't'", "dtype is a number"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], "
                   "\"data_offsets\": [4]}}", Bytes(4)),
          {c.path, "tensor 't'", "data_offsets is an array of 1"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], "
                   "\"data_offsets\": [8, 4]}}", Bytes(8)),
          {c.path, "tensor 't'", "[8, 4] end before begin"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": "
                   "[4294967296, 4294967296], \"data_offsets\": [0, 4]}}", Bytes(4)),
          {c.path, "tensor 't'", "more bytes than fit in 64 bits"});
  c.error(rawImage("{\"__metadata__\": {\"k\": 1}}", {}),
          {c.path, "__metadata__ entry 'k'", "expected a string"});
  c.error(rawImage("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], "
                   "\"data_offsets\": [0, 4]}, \"t\": {\"dtype\": \"F32\", "
                   "\"shape\": [1], \"data_offsets\": [4, 8]}}", Bytes(8)),
          {c.path, "'t' twice"});
}
