#!/usr/bin/env bash
# Builds a whisper.node addon for this CPU from sources already in node_modules: the binding and whisper.cpp from
# @fugood/whisper.node, ggml from node-llama-cpp's bundled llama.cpp (the npm package ships whisper.cpp without
# ggml's core). The npm prebuilt CPU addon is compiled without AVX; on a 2-core Xeon this build decodes whisper-base
# about 8x faster for the same text. Built into the default place (~/.cache/earshot/whisper-native), the server
# uses it without configuration; elsewhere, point EARSHOT_WHISPER_NATIVE at the printed path.
# x86-64 with AVX2+FMA+F16C gets exactly those (measured faster here than -march=native's AVX-512 paths); other
# CPUs get -march=native. A build whose sources and CPU match the last one is kept (stamp file).
# Needs cmake, ninja or make, git, a C++17 compiler; N-API headers come from Node or the node-api-headers package.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/earshot/whisper-native}"
binding="$root/node_modules/@fugood/whisper.node"
bundle="$root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
headers="$(dirname "$(dirname "$(command -v node)")")/include/node"
[ -f "$headers/node_api.h" ] || headers="$root/node_modules/node-api-headers/include"
for need in "$binding/src/addons.cc" "$binding/whisper.cpp/src/whisper.cpp" "$bundle" "$headers/node_api.h"; do
  [ -e "$need" ] || { echo "build-whisper-native: missing $need" >&2; exit 1; }
done
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
if [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* && " $flags " == *" f16c "* ]]; then
  simd="AVX AVX2 FMA F16C"; [[ " $flags " == *" bmi2 "* ]] && simd="$simd BMI2"; native=OFF
else
  simd=""; native=ON
fi
stamp="$(cat "$binding/package.json" "$bundle" | sha256sum | cut -c1-16) $simd native=$native"
if [ -f "$out/index.node" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] && node -e "require(process.argv[1])" "$out/index.node"; then
  echo "$out/index.node"
  exit 0
fi
rm -rf "$out/src" && mkdir -p "$out/src"
cp -r "$binding/src" "$out/src/bsrc" && cp -r "$binding/whisper.cpp" "$out/src/wcpp"
git clone -q "$bundle" "$out/src/llama" 2>/dev/null
cp -r "$out/src/llama/ggml" "$out/src/ggml"
cat > "$out/src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.15)
project(index C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
foreach(opt $simd)
  set(GGML_\${opt} ON CACHE BOOL "" FORCE)
endforeach()
set(GGML_NATIVE $native CACHE BOOL "" FORCE)
set(GGML_OPENMP OFF CACHE BOOL "" FORCE)
add_subdirectory(ggml)
foreach(lib whisper parakeet)
  add_library(\${lib} STATIC wcpp/src/\${lib}.cpp)
  target_include_directories(\${lib} PUBLIC wcpp/include wcpp/src)
  target_link_libraries(\${lib} PUBLIC ggml)
endforeach()
target_compile_definitions(whisper PRIVATE WHISPER_VERSION="whisper.node")
target_compile_definitions(parakeet PRIVATE PARAKEET_VERSION="whisper.node")
add_definitions(-DNAPI_VERSION=6 -DNO_GPU_SUPPORT)
add_library(index SHARED bsrc/addons.cc bsrc/common.cpp bsrc/WhisperContext.cpp bsrc/ParakeetContext.cpp wcpp/examples/common-whisper.cpp)
target_include_directories(index PRIVATE "$headers" "$root/node_modules/node-addon-api" wcpp wcpp/examples wcpp/src)
set_target_properties(index PROPERTIES PREFIX "" SUFFIX ".node")
target_link_libraries(index whisper parakeet ggml)
target_link_options(index PRIVATE -Wl,--unresolved-symbols=ignore-all)
EOF
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$out/src" -B "$out/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$out/build" -j "$(nproc)" >&2
cp "$out/build/index.node" "$out/index.node"
node -e "require(process.argv[1])" "$out/index.node"
printf '%s' "$stamp" > "$out/stamp"
rm -rf "$out/src" "$out/build"
echo "$out/index.node"
