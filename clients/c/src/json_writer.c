/*
 * Any protobuf-c message as JSON in the proto3 mapping, by walking its descriptor
 * (see wl_json_append_message in waterline_client.h for the exact rules).
 */
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waterline_client.h"

/* Deeper messages than this are refused (swift-protobuf's JSON decoder stops at 100). */
#define MAX_DEPTH 100

static int write_message(wl_buf *out, const ProtobufCMessage *m, int depth);

/* ------------------------------------------------------------------ strings */

/* Length of the valid UTF-8 sequence starting at s (n bytes available), 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogates */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && s[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

int wl_json_append_string(wl_buf *out, const char *str, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    wl_buf_append_char(out, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t seq = c >= 0x80 ? utf8_sequence(s + i, len - i) : 0;
        if (seq > 0) {
            i += seq;
            continue;
        }
        wl_buf_append(out, s + run, i - run);
        if (c == '"') {
            wl_buf_append(out, "\\\"", 2);
        } else if (c == '\\') {
            wl_buf_append(out, "\\\\", 2);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            wl_buf_append(out, esc, sizeof esc);
        } else {
            wl_buf_append(out, "\\ufffd", 6); /* a byte that is not valid UTF-8 */
        }
        i++;
        run = i;
    }
    wl_buf_append(out, s + run, len - run);
    return wl_buf_append_char(out, '"');
}

/* ------------------------------------------------------------------ numbers */

/* printf's decimal point follows LC_NUMERIC: make it '.' whatever the locale. */
static void fix_decimal_point(char *s) {
    const char *dp = localeconv()->decimal_point;
    if (!dp || (dp[0] == '.' && dp[1] == '\0') || dp[0] == '\0') return;
    size_t dl = strlen(dp);
    char *p = strstr(s, dp);
    if (!p) return;
    *p = '.';
    memmove(p + 1, p + dl, strlen(p + dl) + 1);
}

int wl_json_append_double(wl_buf *out, double v) {
    if (isnan(v)) return wl_buf_append_str(out, "\"NaN\"");
    if (isinf(v)) return wl_buf_append_str(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    /* "-0" is an integer to many JSON parsers (Python's), which drop its sign. */
    if (v == 0 && signbit(v)) return wl_buf_append_str(out, "-0.0");
    char tmp[40];
    /* The fewest digits that read back to the same bits; 17 always do. */
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(tmp, sizeof tmp, "%.*g", precision, v);
        double back = strtod(tmp, NULL);
        if (memcmp(&back, &v, sizeof v) == 0) break;
    }
    fix_decimal_point(tmp);
    return wl_buf_append_str(out, tmp);
}

/* A float as the exact value of its double: "0.1f" is written 0.10000000149011612.
 * The shortest float digits ("0.1", "3.4028235e+38") would read back to the same float
 * in most parsers, but the latter lies above FLT_MAX as a double and strict ones
 * (Python's json_format) refuse it; the double's digits are exact everywhere. */
static int append_float(wl_buf *out, float v) { return wl_json_append_double(out, (double)v); }

/* ------------------------------------------------------------------ bytes */

static int append_base64(wl_buf *out, const uint8_t *data, size_t len) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    wl_buf_append_char(out, '"');
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t n = ((uint32_t)data[i] << 16) | ((uint32_t)data[i + 1] << 8) | data[i + 2];
        char quad[4] = {table[n >> 18], table[(n >> 12) & 63], table[(n >> 6) & 63], table[n & 63]};
        wl_buf_append(out, quad, 4);
    }
    if (len - i == 1) {
        uint32_t n = (uint32_t)data[i] << 16;
        char quad[4] = {table[n >> 18], table[(n >> 12) & 63], '=', '='};
        wl_buf_append(out, quad, 4);
    } else if (len - i == 2) {
        uint32_t n = ((uint32_t)data[i] << 16) | ((uint32_t)data[i + 1] << 8);
        char quad[4] = {table[n >> 18], table[(n >> 12) & 63], table[(n >> 6) & 63], '='};
        wl_buf_append(out, quad, 4);
    }
    return wl_buf_append_char(out, '"');
}

/* ------------------------------------------------------------------ single values */

/* The size of one element of a repeated field's array. */
static size_t element_size(ProtobufCType type) {
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM: return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return 8;
    case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    return 0;
}

static int append_enum(wl_buf *out, const ProtobufCEnumDescriptor *desc, int32_t value) {
    const ProtobufCEnumValue *ev = desc ? protobuf_c_enum_descriptor_get_value(desc, value) : NULL;
    if (ev) return wl_json_append_string(out, ev->name, strlen(ev->name));
    return wl_buf_printf(out, "%" PRId32, value); /* a value this build does not know */
}

/* One value of a field's type stored at p. */
static int write_value(wl_buf *out, const ProtobufCFieldDescriptor *f, const void *p, int depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return wl_buf_printf(out, "%" PRId32, v);
    }
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return wl_buf_printf(out, "%" PRIu32, v);
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return wl_buf_printf(out, "\"%" PRId64 "\"", v);
    }
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return wl_buf_printf(out, "\"%" PRIu64 "\"", v);
    }
    case PROTOBUF_C_TYPE_FLOAT: {
        float v;
        memcpy(&v, p, sizeof v);
        return append_float(out, v);
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        double v;
        memcpy(&v, p, sizeof v);
        return wl_json_append_double(out, v);
    }
    case PROTOBUF_C_TYPE_BOOL: return wl_buf_append_str(out, *(const protobuf_c_boolean *)p ? "true" : "false");
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return append_enum(out, f->descriptor, v);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return s ? wl_json_append_string(out, s, strlen(s)) : wl_buf_append_str(out, "\"\"");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        return append_base64(out, b->data, b->len);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
        return sub ? write_message(out, sub, depth + 1) : wl_buf_append_str(out, "{}");
    }
    }
    return -1;
}

/* ------------------------------------------------------------------ presence */

static int is_zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* Whether a field is written: set (proto2, oneof) or not at its default (proto3). */
static int field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
    const char *base = (const char *)m;
    const void *member = base + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) return *(const size_t *)(base + f->quantifier_offset) > 0;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) return *(ProtobufCMessage *const *)member != NULL;
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        const char *s = *(char *const *)member;
        if (f->label == PROTOBUF_C_LABEL_REQUIRED) return 1;
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL) return s != NULL && (const void *)s != f->default_value;
        return s != NULL && s[0] != '\0';
    }
    if (f->label == PROTOBUF_C_LABEL_REQUIRED) return 1;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL) return *(const protobuf_c_boolean *)(base + f->quantifier_offset) != 0;
    /* proto3 (PROTOBUF_C_LABEL_NONE): present when not the default; a double or float
     * is default only when all its bits are 0, so -0.0 is written. */
    if (f->type == PROTOBUF_C_TYPE_BYTES) return ((const ProtobufCBinaryData *)member)->len > 0;
    return !is_zero(member, element_size(f->type));
}

/* ------------------------------------------------------------------ maps */

/* protoc's name for a map field's entry message: "open_by_type" -> "OpenByTypeEntry". */
static int is_entry_name(const char *entry_short_name, const char *field_name) {
    const char *e = entry_short_name;
    int cap_next = 1;
    for (const char *c = field_name; *c; c++) {
        if (*c == '_') {
            cap_next = 1;
            continue;
        }
        char want = *c;
        if (cap_next && want >= 'a' && want <= 'z') want = (char)(want - 'a' + 'A');
        cap_next = 0;
        if (*e++ != want) return 0;
    }
    return strcmp(e, "Entry") == 0;
}

static const ProtobufCFieldDescriptor *field_by_id(const ProtobufCMessageDescriptor *d, uint32_t id) {
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].id == id) return &d->fields[i];
    return NULL;
}

/* protobuf-c keeps no map flag: a map field is a repeated message field whose type is
 * the nested <FieldName>Entry with exactly `key = 1` and `value = 2`, as protoc makes it. */
static int is_map_field(const ProtobufCMessageDescriptor *parent, const ProtobufCFieldDescriptor *f) {
    if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return 0;
    const ProtobufCMessageDescriptor *e = f->descriptor;
    if (!e || e->n_fields != 2) return 0;
    const ProtobufCFieldDescriptor *k = field_by_id(e, 1), *v = field_by_id(e, 2);
    if (!k || !v || strcmp(k->name, "key") != 0 || strcmp(v->name, "value") != 0) return 0;
    size_t pl = strlen(parent->name);
    if (strncmp(e->name, parent->name, pl) != 0 || e->name[pl] != '.') return 0;
    return is_entry_name(e->name + pl + 1, f->name);
}

static int keys_equal(const ProtobufCFieldDescriptor *k, const ProtobufCMessage *a, const ProtobufCMessage *b) {
    const void *pa = (const char *)a + k->offset, *pb = (const char *)b + k->offset;
    if (k->type == PROTOBUF_C_TYPE_STRING) {
        const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;
        return strcmp(sa ? sa : "", sb ? sb : "") == 0;
    }
    if (k->type == PROTOBUF_C_TYPE_BOOL) return !*(const protobuf_c_boolean *)pa == !*(const protobuf_c_boolean *)pb;
    return memcmp(pa, pb, element_size(k->type)) == 0;
}

/* A map as a JSON object; keys are always strings. When a key occurs more than once on
 * the wire the last entry wins, as when parsing. */
static int write_map(wl_buf *out, const ProtobufCFieldDescriptor *f, ProtobufCMessage *const *entries, size_t n,
                     int depth) {
    const ProtobufCMessageDescriptor *e = f->descriptor;
    const ProtobufCFieldDescriptor *k = field_by_id(e, 1), *v = field_by_id(e, 2);
    wl_buf_append_char(out, '{');
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (!entries[i]) continue;
        int overridden = 0;
        for (size_t j = i + 1; j < n && !overridden; j++) overridden = entries[j] && keys_equal(k, entries[i], entries[j]);
        if (overridden) continue;
        if (!first) wl_buf_append_char(out, ',');
        first = 0;
        const char *entry = (const char *)entries[i];
        switch (k->type) {
        case PROTOBUF_C_TYPE_STRING: write_value(out, k, entry + k->offset, depth); break;
        case PROTOBUF_C_TYPE_BOOL:
            wl_buf_append_str(out, *(const protobuf_c_boolean *)(entry + k->offset) ? "\"true\"" : "\"false\"");
            break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64: write_value(out, k, entry + k->offset, depth); break; /* already quoted */
        default:
            wl_buf_append_char(out, '"');
            write_value(out, k, entry + k->offset, depth);
            wl_buf_append_char(out, '"');
        }
        wl_buf_append_char(out, ':');
        write_value(out, v, entry + v->offset, depth);
    }
    return wl_buf_append_char(out, '}');
}

/* ------------------------------------------------------------------ messages */

static int write_message(wl_buf *out, const ProtobufCMessage *m, int depth) {
    if (depth > MAX_DEPTH) {
        out->failed = 1;
        return -1;
    }
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *base = (const char *)m;
    wl_buf_append_char(out, '{');
    int first = 1;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!field_present(m, f)) continue;
        if (!first) wl_buf_append_char(out, ',');
        first = 0;
        wl_json_append_string(out, f->name, strlen(f->name));
        wl_buf_append_char(out, ':');
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            write_value(out, f, base + f->offset, depth);
            continue;
        }
        size_t n = *(const size_t *)(base + f->quantifier_offset);
        const char *array = *(char *const *)(base + f->offset);
        if (is_map_field(d, f)) {
            write_map(out, f, (ProtobufCMessage *const *)array, n, depth);
            continue;
        }
        size_t size = element_size(f->type);
        wl_buf_append_char(out, '[');
        for (size_t j = 0; j < n; j++) {
            if (j) wl_buf_append_char(out, ',');
            write_value(out, f, array + j * size, depth);
        }
        wl_buf_append_char(out, ']');
    }
    return wl_buf_append_char(out, '}');
}

int wl_json_append_message(wl_buf *out, const ProtobufCMessage *message) {
    if (!message || !message->descriptor || out->failed) return -1;
    size_t start = out->len;
    if (write_message(out, message, 0) != 0 || out->failed) {
        /* Leave the buffer as it was (still usable: a failed realloc keeps the old block). */
        if (out->data) {
            out->len = start;
            out->data[start] = '\0';
        }
        out->failed = 0;
        return -1;
    }
    return 0;
}

char *wl_json_message(const ProtobufCMessage *message) {
    wl_buf b = WL_BUF_INIT;
    if (wl_json_append_message(&b, message) != 0) {
        wl_buf_free(&b);
        return NULL;
    }
    return b.data;
}
