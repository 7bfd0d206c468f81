#!/usr/bin/env bash
# Regenerates Sources/WaterlineProto/*.pb.swift from proto/waterline/v1/*.proto.
#
#   scripts/generate-protos.sh            write the generated code
#   scripts/generate-protos.sh --check    fail when the committed code is stale
#
# protoc comes from Debian (protobuf-compiler); protoc-gen-swift is built from the
# swift-protobuf package this project depends on, so the generator always matches the
# runtime library. It is built once into .build-protoc/.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
command -v protoc >/dev/null || { echo "generate-protos: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

plugin=.build-protoc/release/protoc-gen-swift
if [ ! -x "$plugin" ]; then
  echo "generate-protos: building protoc-gen-swift (once) ..." >&2
  swift package resolve >/dev/null
  checkout=.build/checkouts/swift-protobuf
  [ -d "$checkout" ] || { echo "generate-protos: $checkout missing after resolve" >&2; exit 1; }
  swift build -c release --package-path "$checkout" --scratch-path .build-protoc \
    --product protoc-gen-swift >&2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" -I proto proto/waterline/v1/*.proto

target=Sources/WaterlineProto/Generated
if [ "$mode" = "--check" ]; then
  if ! diff -r -q "$out" "$target" >/dev/null 2>&1; then
    diff -r "$out" "$target" | head -40 >&2 || true
    echo "generate-protos: Sources/WaterlineProto/Generated is stale; run scripts/generate-protos.sh and commit" >&2
    exit 1
  fi
  echo "generate-protos: generated code is up to date"
else
  rm -rf "$target" && mkdir -p "$target"
  cp "$out"/*.swift "$target"/
  echo "generate-protos: wrote $(ls "$target" | wc -l) files to $target"
fi
