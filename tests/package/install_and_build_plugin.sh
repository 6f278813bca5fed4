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

cmake -S "$example_dir" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" \
  || { cat "$work/configure.log"; echo "FAIL: find_package(cvpipe) from the install prefix"; exit 1; }
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
echo "package test: ok"
