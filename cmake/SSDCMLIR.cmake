# Finds Debian's LLVM/MLIR 19 and pulls in the MLIR CMake helpers
# (mlir_tablegen, add_mlir_dialect_library, ...).
# "19" alone is rejected by MLIR's version file; ask for 19.1.
find_package(MLIR 19.1 REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/mlir)
message(STATUS "Using MLIRConfig.cmake in: ${MLIR_DIR}")
message(STATUS "Using LLVMConfig.cmake in: ${LLVM_DIR}")

set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})

list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)

include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
# Generated TableGen headers land in the build tree under the same relative path.
include_directories(${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
link_directories(${LLVM_BUILD_LIBRARY_DIR})
add_definitions(${LLVM_DEFINITIONS})

# Debian ships lit as a script and FileCheck/not/count in the LLVM bin dir.
set(SSDC_LIT /usr/lib/llvm-19/build/utils/lit/lit.py CACHE FILEPATH "lit.py")
set(SSDC_LLVM_TOOLS_DIR /usr/lib/llvm-19/bin CACHE PATH "FileCheck, not, count")

# TableGen'd op classes have unused parameters (LLVM itself builds with
# -Wno-unused-parameter); directories with MLIR code add these flags.
set(SSDC_MLIR_WARNING_FLAGS -Wno-unused-parameter)
