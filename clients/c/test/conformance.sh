#!/bin/sh
# Checks JSON written by the C client against the reference proto3 JSON parser
# (Python's google.protobuf.json_format): every <n>.<message>.json in the given folders
# must parse to the same message as <n>.<message>.bin.
# Usage: conformance.sh BUILD PROTO_DIR DIR...   (skipped when no Python has google.protobuf:
# apt-get install python3-protobuf)
set -eu
build=$1
proto_dir=$2
shift 2
py=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import google.protobuf' 2>/dev/null; then
        py=$candidate
        break
    fi
done
if [ -z "$py" ]; then
    echo "conformance: SKIPPED (no Python with google.protobuf; apt-get install python3-protobuf)"
    exit 0
fi
if ! command -v protoc >/dev/null 2>&1; then
    echo "conformance: SKIPPED (no protoc; apt-get install protobuf-compiler)"
    exit 0
fi
out=$(mktemp -d "$build/py.XXXXXX") # one per run: `make -j check` runs two at once
trap 'rm -rf "$out"' EXIT
protoc -I "$proto_dir" --python_out="$out" "$proto_dir"/waterline/v1/*.proto
protoc -I test/proto --python_out="$out" test/proto/*.proto
"$py" test/conformance.py "$out" "$@"
