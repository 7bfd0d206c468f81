"""Each <n>.<full message name>.json must parse (proto3 JSON, Python's reference
parser) to exactly the message in <n>.<full message name>.bin.

Usage: conformance.py PY_OUT DIR...   (PY_OUT: protoc --python_out of the protos)"""
import glob
import importlib
import json
import math
import os
import sys


def load_modules(root):
    sys.path.insert(0, root)
    for path in glob.glob(os.path.join(root, "**", "*_pb2.py"), recursive=True):
        module = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
        importlib.import_module(module)


def message_class(name):
    from google.protobuf import descriptor_pool, message_factory

    descriptor = descriptor_pool.Default().FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor_pool.Default()).GetPrototype(descriptor)


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def same_message(a, b):
    """Field by field, like swift-protobuf's ==, except NaN equals NaN: -0.0 equals an
    unset 0 (protobuf-c, which made the .bin, does not pack a singular -0.0 that the
    JSON keeps, and that swift-protobuf and Python do send)."""
    from google.protobuf.descriptor import FieldDescriptor

    for field in a.DESCRIPTOR.fields:
        va, vb = getattr(a, field.name), getattr(b, field.name)
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        if field.label == FieldDescriptor.LABEL_REPEATED:
            if is_message and field.message_type.GetOptions().map_entry:
                if set(va.keys()) != set(vb.keys()):
                    return False
                value_is_message = field.message_type.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE
                for k in va:
                    if not (same_message(va[k], vb[k]) if value_is_message else same_value(va[k], vb[k])):
                        return False
                continue
            if len(va) != len(vb):
                return False
            for x, y in zip(va, vb):
                if not (same_message(x, y) if is_message else same_value(x, y)):
                    return False
            continue
        if is_message:
            if a.HasField(field.name) != b.HasField(field.name) or not same_message(va, vb):
                return False
            continue
        if field.has_presence and a.HasField(field.name) != b.HasField(field.name):
            return False
        if not same_value(va, vb):
            return False
    return True


def main():
    load_modules(sys.argv[1])
    from google.protobuf import json_format

    checked = failed = 0
    for folder in sys.argv[2:]:
        for json_path in sorted(glob.glob(os.path.join(folder, "*.json"))):
            base = os.path.basename(json_path)[: -len(".json")]
            name = base.split(".", 1)[1]
            cls = message_class(name)
            with open(json_path[: -len(".json")] + ".bin", "rb") as f:
                expected = cls.FromString(f.read())
            with open(json_path, encoding="utf-8") as f:
                text = f.read()
            checked += 1
            try:
                json.loads(text)  # plain JSON first
                parsed = json_format.Parse(text, cls())
            except Exception as e:  # noqa: BLE001 - report and go on
                failed += 1
                print(f"conformance: {json_path}: does not parse: {e}")
                continue
            if not same_message(parsed, expected):
                failed += 1
                print(f"conformance: {json_path}: parses to a different message:\n{parsed}\nexpected:\n{expected}")
    print(f"conformance: {checked} JSON texts checked against google.protobuf.json_format, {failed} failed")
    if failed or checked == 0:
        sys.exit(1)


main()
