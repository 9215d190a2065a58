# Shared by scripts/demo.sh and scripts/test.sh: install what is missing,
# configure once, build incrementally. Source it; do not run it.
set -euo pipefail

SSDC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SSDC_BUILD=${SSDC_BUILD:-$SSDC_ROOT/build}
SSDC_JOBS=${SSDC_JOBS:-$(nproc)}

# Debian packages the build and tests need. Checked with dpkg first so a second
# run does not touch apt at all.
SSDC_APT_PACKAGES=(
  cmake ninja-build g++ python3 pkg-config
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  libhalide14-0-dev libopenblas-dev nlohmann-json3-dev libzstd-dev
  clang-14 libclang-rt-14-dev   # scripts/fuzz.sh: libFuzzer + sanitizers
)

ssdc_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ssdc_install_deps() {
  local missing=()
  local p
  for p in "${SSDC_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  ssdc_log "installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

ssdc_configure() {
  if [ ! -f "$SSDC_BUILD/build.ninja" ]; then
    ssdc_log "configuring into $SSDC_BUILD"
    cmake -S "$SSDC_ROOT" -B "$SSDC_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
  fi
}

ssdc_build() {
  ssdc_log "building (${SSDC_JOBS} jobs)"
  cmake --build "$SSDC_BUILD" -j "$SSDC_JOBS"
}
