# cmake -DIN=file -DOUT=file.cpp -DSYMBOL=name -P EmbedBinary.cmake: writes
# `extern const unsigned char SYMBOL[]` and `SYMBOL_size` (namespace
# ssdc::rt) holding IN's bytes, 16-byte aligned.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" chars)
math(EXPR size "${chars} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}"
  "// Generated from ${IN} by runtime/cuda/EmbedBinary.cmake.\n"
  "#include <cstddef>\n"
  "namespace ssdc::rt {\n"
  "extern const unsigned char ${SYMBOL}[];\n"
  "extern const size_t ${SYMBOL}_size;\n"
  "alignas(16) const unsigned char ${SYMBOL}[] = {${bytes}};\n"
  "const size_t ${SYMBOL}_size = ${size};\n"
  "} // namespace ssdc::rt\n")
