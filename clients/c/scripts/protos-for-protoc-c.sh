#!/bin/sh
# Prints the .proto files under DIR/waterline/v1 that protoc-c can compile, one a line.
# protoc-c 1.4 does not support proto3 `optional` fields: files that have them, and
# files that import such files (directly or not), are left out. The insight stream's
# event.proto has none.
dir=${1:?usage: protos-for-protoc-c.sh PROTO_DIR}
files=$(ls "$dir"/waterline/v1/*.proto | LC_ALL=C sort)
skip=" "
for f in $files; do
    grep -Eq '^[[:space:]]*optional[[:space:]]' "$f" && skip="$skip$(basename "$f") "
done
changed=1
while [ "$changed" = 1 ]; do
    changed=0
    for f in $files; do
        b=$(basename "$f")
        case "$skip" in *" $b "*) continue ;; esac
        for s in $skip; do
            if grep -Fq "import \"waterline/v1/$s\"" "$f"; then
                skip="$skip$b "
                changed=1
                break
            fi
        done
    done
done
for f in $files; do
    case "$skip" in *" $(basename "$f") "*) ;; *) echo "$f" ;; esac
done
