#!/usr/bin/env bash
# Usage: install_and_build_plugin.sh BUILD_DIR EXAMPLE_DIR. Fails (exit 1) on the first broken step.
set -euo pipefail
build_dir=$1
example_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -x "$work/prefix/bin/cvpipe" || { echo "FAIL: cvpipe not installed"; exit 1; }
test -f "$work/prefix/include/cvpipe/plugin.hpp" || { echo "FAIL: SDK headers not installed"; exit 1; }
ls "$work/prefix"/lib*/cvpipe/plugins/libcvpipe_imgproc.so > /dev/null || { echo "FAIL: plugins not installed"; exit 1; }

# No build type given: cvpipe_add_plugin projects default to Release.
cmake -S "$example_dir" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" \
  || { cat "$work/configure.log"; echo "FAIL: find_package(cvpipe) from the install prefix"; exit 1; }
grep -q "^CMAKE_BUILD_TYPE:STRING=Release" "$work/example/CMakeCache.txt" \
  || { echo "FAIL: the example plugin does not default to a Release build"; exit 1; }

# A project that links the nn engine (cvpipe::nn pulls OpenMP, oneDNN, OpenCV) configures and links.
mkdir -p "$work/nn_user"
cat > "$work/nn_user/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(nn_user LANGUAGES CXX)
find_package(cvpipe REQUIRED)
add_executable(nn_user main.cpp)
target_link_libraries(nn_user PRIVATE cvpipe::nn)
CMAKE
cat > "$work/nn_user/main.cpp" <<'CPP'
#include <cvpipe/nn/layers.hpp>
int main() { cvpipe::nn::Conv2d conv(3, 8, 3); return conv.out_channels() == 8 ? 0 : 1; }
CPP
cmake -S "$work/nn_user" -B "$work/nn_user/build" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/nn_user.log" 2>&1 \
  && cmake --build "$work/nn_user/build" >> "$work/nn_user.log" 2>&1 \
  && LD_LIBRARY_PATH="$(dirname "$(ls "$work/prefix"/lib*/libcvpipe_nn.so* | head -1)")" "$work/nn_user/build/nn_user" \
  || { cat "$work/nn_user.log"; echo "FAIL: a cvpipe::nn program against the install prefix"; exit 1; }

# pkg-config describes the same SDK.
pc=$(ls "$work/prefix"/lib*/pkgconfig/cvpipe.pc 2>/dev/null || ls "$work/prefix"/lib/*/pkgconfig/cvpipe.pc)
PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags cvpipe | grep -q -- "-I$work/prefix/.*include" \
  || { PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags cvpipe; echo "FAIL: pkg-config cvpipe"; exit 1; }
cmake --build "$work/example" > "$work/build.log" || { cat "$work/build.log"; echo "FAIL: example plugin build"; exit 1; }

# The installed CLI finds its installed plugins (imgproc) and the example from --plugin-path.
listing=$("$work/prefix/bin/cvpipe" plugins list --plugin-path "$work/example")
grep -q posterize <<< "$listing" || { echo "$listing"; echo "FAIL: posterize not listed"; exit 1; }
grep -q imgproc <<< "$listing" || { echo "$listing"; echo "FAIL: installed imgproc not listed"; exit 1; }
"$work/prefix/bin/cvpipe" plugins show posterize --plugin-path "$work/example" | grep -q levels \
  || { echo "FAIL: posterize parameters not shown"; exit 1; }

"$work/prefix/bin/cvpipe" run "$example_dir/pipeline.yaml" --plugin-path "$work/example" \
  --output "$work/out" --quiet
test -s "$work/out/fruits.png" || { echo "FAIL: posterized image not written"; exit 1; }
# A new author's path: `plugins new`, build against the prefix, the generated GoogleTest on the
# installed cvpipe::testing, `plugins check`, and a pipeline run.
"$work/prefix/bin/cvpipe" plugins new brighten "$work/brighten" > "$work/new.log" \
  || { cat "$work/new.log"; echo "FAIL: plugins new"; exit 1; }
cmake -S "$work/brighten" -B "$work/brighten/build" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/brighten.log" 2>&1 \
  && cmake --build "$work/brighten/build" >> "$work/brighten.log" 2>&1 \
  || { cat "$work/brighten.log"; echo "FAIL: the generated plugin project does not build"; exit 1; }
grep -q "^CMAKE_BUILD_TYPE:STRING=Release" "$work/brighten/build/CMakeCache.txt" \
  || { echo "FAIL: the generated plugin does not default to a Release build"; exit 1; }
ctest --test-dir "$work/brighten/build" --output-on-failure > "$work/brighten_tests.log" 2>&1 \
  || { cat "$work/brighten_tests.log"; echo "FAIL: the generated plugin's tests"; exit 1; }
grep -q "100% tests passed" "$work/brighten_tests.log" && grep -q "DoublesGrayAndColourPixels" "$work/brighten_tests.log" \
  || { cat "$work/brighten_tests.log"; echo "FAIL: the generated tests did not run"; exit 1; }
"$work/prefix/bin/cvpipe" plugins check "$work/brighten/build/libcvpipe_brighten.so" > "$work/check.log" \
  || { cat "$work/check.log"; echo "FAIL: plugins check on the generated plugin"; exit 1; }
mkdir -p "$work/photos" && cp "${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}/fruits.jpg" "$work/photos/"
(cd "$work/brighten" && "$work/prefix/bin/cvpipe" run pipeline.yaml --plugin-path build --input "$work/photos" \
  --output "$work/brightened" --quiet) || { echo "FAIL: the generated plugin in a pipeline"; exit 1; }
test -s "$work/brightened/fruits.png" || test -s "$work/brightened/fruits.jpg" \
  || { ls -la "$work/brightened"; echo "FAIL: the generated plugin's pipeline wrote nothing"; exit 1; }
echo "package test: ok"
