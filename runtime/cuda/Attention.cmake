# The attention launcher and the NVRTC fallback of the CUDA executor
# (runtime/cuda/LaunchAttention.cpp, Nvrtc.cpp), included from this
# directory's CMakeLists.txt into ssdrt_cuda. NVRTC finds cuda_bf16.h and
# cuda_fp16.h in the toolkit's include directories recorded here
# ($SSDC_CUDA_INCLUDE overrides them at run time).
target_sources(ssdrt_cuda PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/LaunchAttention.cpp ${CMAKE_CURRENT_LIST_DIR}/Nvrtc.cpp)
target_link_libraries(ssdrt_cuda PUBLIC CUDA::nvrtc)
string(JOIN "|" _ssdc_cuda_includes ${CUDAToolkit_INCLUDE_DIRS})
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/Nvrtc.cpp PROPERTIES
  COMPILE_DEFINITIONS "SSDC_CUDA_INCLUDE_DIRS=\"${_ssdc_cuda_includes}\"")
