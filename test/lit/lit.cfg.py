# lit configuration for ssdc: .mlir tests run through ssdc-opt and FileCheck.
import os
import lit.formats

config.name = "ssdc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ssdc_obj_root, "test", "lit")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "CMakeLists.txt", "Inputs"]

# Our tools first, then FileCheck / not / count from Debian's LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.ssdc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%ssdc_src", config.ssdc_src_root))

# `REQUIRES: cuda-runtime`: the tools were built with the CUDA runtime
# (--device cuda exists; no GPU needed). Sanitizer builds leave it out.
if str(getattr(config, "ssdc_cuda_runtime", "OFF")).upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("cuda-runtime")
