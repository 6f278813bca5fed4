#!/usr/bin/env bash
# Installs every Debian package cvpipe's build, tests, demo and data need. Idempotent: runs
# apt-get update and install only when a package is missing. Needs root (or sudo), never prompts.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopencv-dev opencv-doc opencv-data
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers
  libyaml-cpp-dev libboost-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
  ffmpeg
  libopenmpi-dev openmpi-bin
)
# Optional tools: PyTorch for cross-check tests and benchmarks (make bench), numpy for safetensors
# checks, perf for profiling the benchmarks (docs/BENCHMARKS.md).
if [[ "${CVPIPE_WITH_TORCH:-0}" == "1" ]]; then
  packages+=(python3-torch python3-numpy linux-perf)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
