/* The generic JSON writer: exact output for known messages, and round trips. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "waterline/v1/rpc.pb-c.h"
#include "waterline_client.h"
#include "waterline_ctest.pb-c.h"
#include "waterline_ctest2.pb-c.h"

/* Writes <n>.<message name>.bin and .json for test/conformance.py (proto3 JSON parsed
 * by the reference implementation must give the same message). */
static void dump(const ProtobufCMessage *m) {
    static int n = 0;
    if (!conformance_dir) return;
    char path[1024];
    size_t size = protobuf_c_message_get_packed_size(m);
    uint8_t *bin = malloc(size ? size : 1);
    protobuf_c_message_pack(m, bin);
    snprintf(path, sizeof path, "%s/%03d.%s.bin", conformance_dir, n, m->descriptor->name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(bin, 1, size, f);
        fclose(f);
    }
    free(bin);
    char *json = wl_json_message(m);
    snprintf(path, sizeof path, "%s/%03d.%s.json", conformance_dir, n, m->descriptor->name);
    f = fopen(path, "wb");
    CHECK(f != NULL && json != NULL);
    if (f && json) {
        fputs(json, f);
        fclose(f);
    }
    free(json);
    n++;
}

static void check_json(const ProtobufCMessage *m, const char *expected) {
    char *json = wl_json_message(m);
    CHECK_STR(json, expected);
    free(json);
    dump(m);
}

static char *string_json(const char *s, size_t len) {
    wl_buf b = WL_BUF_INIT;
    wl_json_append_string(&b, s, len);
    return b.data;
}

static char *double_json(double v) {
    wl_buf b = WL_BUF_INIT;
    wl_json_append_double(&b, v);
    return b.data;
}

static void test_strings(void) {
    struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"", 0, "\"\""},
        {"plain", 5, "\"plain\""},
        {"a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\""},
        {"\n\r\t\b\f", 5, "\"\\u000a\\u000d\\u0009\\u0008\\u000c\""},
        {"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\""},
        {"nul\0in", 6, "\"nul\\u0000in\""},
        {"Z\xc3\xbcrich \xe6\xb0\xb4 \xf0\x9f\x98\x80", 16, "\"Z\xc3\xbcrich \xe6\xb0\xb4 \xf0\x9f\x98\x80\""},
        {"\xe2\x80\xa8", 3, "\"\xe2\x80\xa8\""},                         /* U+2028 passes */
        {"bad\xff", 4, "\"bad\\ufffd\""},                                 /* not UTF-8 */
        {"\xc3", 1, "\"\\ufffd\""},                                       /* cut sequence */
        {"\xc0\xaf", 2, "\"\\ufffd\\ufffd\""},                            /* overlong */
        {"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""},                 /* surrogate */
        {"\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},      /* > U+10FFFF */
        {"\xe6\xb0", 2, "\"\\ufffd\\ufffd\""},                            /* cut 3-byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = string_json(cases[i].in, cases[i].len);
        CHECK_STR(got, cases[i].out);
        free(got);
    }
}

static void test_doubles(void) {
    struct {
        double v;
        const char *out;
    } cases[] = {
        {0.1, "0.1"},
        {1.0 / 3.0, "0.3333333333333333"},
        {-2.5, "-2.5"},
        {100, "100"},
        {1e300, "1e+300"},
        {-0.0, "-0.0"},
        {5e-324, "4.94065645841247e-324"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {1718000000000.0, "1718000000000"},
        {0.30000000000000004, "0.30000000000000004"},
        {NAN, "\"NaN\""},
        {INFINITY, "\"Infinity\""},
        {-INFINITY, "\"-Infinity\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = double_json(cases[i].v);
        CHECK_STR(got, cases[i].out);
        free(got);
    }
    /* Any finite double reads back to the same bits. */
    uint64_t state = 88172645463325252ULL;
    int exact = 1;
    for (int i = 0; i < 200000 && exact; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        double v;
        memcpy(&v, &state, sizeof v);
        if (!isfinite(v)) continue;
        char *got = double_json(v);
        double back = strtod(got, NULL);
        if (memcmp(&back, &v, sizeof v) != 0) {
            fprintf(stderr, "double %a written as %s reads back as %a\n", v, got, back);
            exact = 0;
        }
        free(got);
    }
    CHECK(exact);
}

static void test_event_update(void) {
    Waterline__V1__EventUpdate empty = WATERLINE__V1__EVENT_UPDATE__INIT;
    check_json(&empty.base, "{}");

    Waterline__V1__Event event = WATERLINE__V1__EVENT__INIT;
    Waterline__V1__EventUpdate small = WATERLINE__V1__EVENT_UPDATE__INIT;
    small.sequence = 18446744073709551615ULL;
    small.change = WATERLINE__V1__EVENT_CHANGE__EVENT_CHANGE_OPENED;
    small.event = &event; /* an event with everything at its default is still present */
    check_json(&small.base, "{\"sequence\":\"18446744073709551615\",\"change\":\"EVENT_CHANGE_OPENED\",\"event\":{}}");

    event.type = 99; /* an enum value this build does not know */
    event.start_ms = INT64_MIN;
    event.severity = -0.0;
    check_json(&small.base, "{\"sequence\":\"18446744073709551615\",\"change\":\"EVENT_CHANGE_OPENED\",\"event\":{"
                            "\"type\":99,\"start_ms\":\"-9223372036854775808\",\"severity\":-0.0}}");

    Waterline__V1__EventUpdate *full =
        fixture_full_update(42, "insight-7f3a", "north", WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_BURST, 1718000500000);
    CHECK(full != NULL);
    check_json(&full->base,
               "{\"sequence\":\"42\",\"publisher_id\":\"insight-7f3a\",\"change\":\"EVENT_CHANGE_ACKNOWLEDGED\","
               "\"event\":{\"event_id\":\"evt-20240610-0001\",\"type\":\"EVENT_TYPE_BURST\","
               "\"status\":\"EVENT_STATUS_ACKNOWLEDGED\",\"zone\":\"north\",\"sensor_ids\":[\"p-101\",\"f-inlet-7\"],"
               "\"start_ms\":\"1718000000000\",\"last_evidence_ms\":\"1718000300000\",\"end_ms\":\"1718009999999\","
               "\"severity\":0.8125,\"confidence\":0.1,"
               "\"evidence\":[{\"sensor_id\":\"p-101\",\"kind\":\"pressure\",\"first_ms\":\"1718000000000\","
               "\"last_ms\":\"1718000300000\",\"peak_score\":7.25,\"mean_deviation\":-0.4321,\"forecast_mean\":3.1,"
               "\"anomalous_points\":12},"
               "{\"sensor_id\":\"f-inlet-7\",\"kind\":\"flow\",\"first_ms\":\"1718000060000\","
               "\"last_ms\":\"1718000240000\",\"peak_score\":1e-07,\"mean_deviation\":123456.789,"
               "\"forecast_mean\":-0.0025,\"anomalous_points\":4294967295}],"
               "\"model_version\":\"deepar-2024-06-01\",\"acknowledged_by\":\"j.doe\","
               "\"acknowledged_ms\":\"1718000400000\",\"resolved_by\":\"ops-night\",\"resolved_ms\":\"-1\","
               "\"history\":[{\"action\":\"opened\",\"actor\":\"insight\",\"at_ms\":\"1718000000000\"},"
               "{\"action\":\"acknowledged\",\"actor\":\"j.doe\",\"at_ms\":\"1718000400000\","
               "\"comment\":\"crew \\\"B\\\" sent\\u000aETA 20'\"}],"
               "\"updated_ms\":\"1718000500000\","
               "\"summary\":\"Burst on Mill St \\\\ pump 3: \\\"large\\\"\\u0009tab\\u0001 Z\xc3\xbcrich \xe6\xb0\xb4 "
               "\xf0\x9f\x98\x80\","
               "\"loss\":{\"volume_m3\":153.25,\"low_m3\":120.0000000000001,\"high_m3\":1e+300,\"revenue\":229.875,"
               "\"tariff_per_m3\":1.5,\"current_flow_m3h\":-0.0},"
               "\"candidates\":[{\"node_id\":\"J-31\",\"link_id\":\"P-12\",\"score\":0.9,\"lat\":51.507351,"
               "\"lon\":-0.127758},{\"sensor_id\":\"p-101\",\"score\":0.35,\"lat\":-33.8688,\"lon\":151.2093}],"
               "\"location_note\":\"network nodes\",\"label\":\"leak\",\"labelled_by\":\"crew-b\","
               "\"labelled_ms\":\"1718001000000\",\"public_reports\":3},"
               "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
    waterline__v1__event_update__free_unpacked(full, NULL);

    /* NaN and infinities inside a message. */
    Waterline__V1__LossEstimate loss = WATERLINE__V1__LOSS_ESTIMATE__INIT;
    loss.volume_m3 = NAN;
    loss.low_m3 = -INFINITY;
    loss.high_m3 = INFINITY;
    check_json(&loss.base, "{\"volume_m3\":\"NaN\",\"low_m3\":\"-Infinity\",\"high_m3\":\"Infinity\"}");
}

/* Map fields of Waterline's own messages. */
static void test_waterline_maps(void) {
    Waterline__V1__ZoneSummary__OpenByTypeEntry leak = WATERLINE__V1__ZONE_SUMMARY__OPEN_BY_TYPE_ENTRY__INIT,
                                                burst = WATERLINE__V1__ZONE_SUMMARY__OPEN_BY_TYPE_ENTRY__INIT;
    leak.key = "leak";
    leak.value = 2;
    burst.key = "burst";
    burst.value = 1;
    Waterline__V1__ZoneSummary__OpenByTypeEntry *entries[] = {&leak, &burst};
    Waterline__V1__ZoneSummary z = WATERLINE__V1__ZONE_SUMMARY__INIT;
    z.zone = "north";
    z.open_events = 3;
    z.open_by_type = entries;
    z.n_open_by_type = 2;
    z.loss_m3 = 12.5;
    check_json(&z.base, "{\"zone\":\"north\",\"open_events\":3,\"open_by_type\":{\"leak\":2,\"burst\":1},"
                        "\"loss_m3\":12.5}");

    Waterline__V1__HealthResponse__CountersEntry c1 = WATERLINE__V1__HEALTH_RESPONSE__COUNTERS_ENTRY__INIT;
    c1.key = "published";
    c1.value = 18446744073709551615ULL;
    Waterline__V1__HealthResponse__CountersEntry *counters[] = {&c1};
    Waterline__V1__HealthResponse h = WATERLINE__V1__HEALTH_RESPONSE__INIT;
    h.service = "insight";
    h.status = "SERVING";
    h.counters = counters;
    h.n_counters = 1;
    check_json(&h.base, "{\"service\":\"insight\",\"status\":\"SERVING\",\"counters\":{\"published\":"
                        "\"18446744073709551615\"}}");
}

static void test_all_types(void) {
    Waterline__Ctest__AllTypes m = WATERLINE__CTEST__ALL_TYPES__INIT;
    check_json(&m.base, "{}");

    Waterline__Ctest__Inner inner = WATERLINE__CTEST__INNER__INIT;
    inner.name = "in";
    inner.n = -3;
    Waterline__Ctest__Inner inner_empty = WATERLINE__CTEST__INNER__INIT;
    m.d = 2.5;
    m.f = 0.1f;
    m.i32 = INT32_MIN;
    m.i64 = INT64_MAX;
    m.u32 = UINT32_MAX;
    m.u64 = 1;
    m.s32 = -7;
    m.s64 = -9007199254740993LL; /* not exact as a double: why 64-bit integers are strings */
    m.fx32 = 7;
    m.fx64 = 18446744073709551615ULL;
    m.sfx32 = -1;
    m.sfx64 = -2;
    m.b = 1;
    m.s = "s";
    uint8_t bytes[] = {0xfb, 0xff, 0x00, 'a'};
    m.by.data = bytes;
    m.by.len = sizeof bytes;
    m.color = WATERLINE__CTEST__COLOR__COLOR_BLUE;
    m.inner = &inner_empty;
    double rd[] = {0, -0.0, 1.5, NAN};
    m.rd = rd;
    m.n_rd = 4;
    int64_t ri64[] = {0, -1, INT64_MIN};
    m.ri64 = ri64;
    m.n_ri64 = 3;
    char *rs[] = {"", "x\"y"};
    m.rs = rs;
    m.n_rs = 2;
    /* RFC 4648 test vectors. */
    ProtobufCBinaryData rby[] = {{0, (uint8_t *)""},     {1, (uint8_t *)"f"},     {2, (uint8_t *)"fo"},
                                 {3, (uint8_t *)"foo"},  {4, (uint8_t *)"foob"},  {5, (uint8_t *)"fooba"},
                                 {6, (uint8_t *)"foobar"}};
    m.rby = rby;
    m.n_rby = 7;
    Waterline__Ctest__Color rcolor[] = {WATERLINE__CTEST__COLOR__COLOR_UNSPECIFIED, WATERLINE__CTEST__COLOR__COLOR_RED, 7};
    m.rcolor = rcolor;
    m.n_rcolor = 3;
    Waterline__Ctest__Inner *rinner[] = {&inner, &inner_empty};
    m.rinner = rinner;
    m.n_rinner = 2;
    protobuf_c_boolean rb[] = {1, 0};
    m.rb = rb;
    m.n_rb = 2;
    float rf[] = {1.0f / 3.0f, 16777216.0f, FLT_MAX, -INFINITY};
    m.rf = rf;
    m.n_rf = 4;
    uint32_t ru32[] = {0, 4000000000u};
    m.ru32 = ru32;
    m.n_ru32 = 2;
    int64_t rs64[] = {-5};
    m.rs64 = rs64;
    m.n_rs64 = 1;

    Waterline__Ctest__AllTypes__MStrEntry ms1 = WATERLINE__CTEST__ALL_TYPES__MSTR_ENTRY__INIT,
                                          ms2 = WATERLINE__CTEST__ALL_TYPES__MSTR_ENTRY__INIT,
                                          ms3 = WATERLINE__CTEST__ALL_TYPES__MSTR_ENTRY__INIT,
                                          ms4 = WATERLINE__CTEST__ALL_TYPES__MSTR_ENTRY__INIT;
    ms1.key = "leak";
    ms1.value = 2;
    ms2.key = "burst";
    ms2.value = 0; /* map values are written even when 0 */
    ms3.key = "leak";
    ms3.value = 5; /* the same key again: the last one wins */
    ms4.key = "";
    ms4.value = 1;
    Waterline__Ctest__AllTypes__MStrEntry *m_str[] = {&ms1, &ms2, &ms3, &ms4};
    Waterline__Ctest__AllTypes dup = WATERLINE__CTEST__ALL_TYPES__INIT;
    dup.m_str = m_str;
    dup.n_m_str = 4;
    char *json = wl_json_message(&dup.base); /* not dumped: the reference keeps both entries */
    CHECK_STR(json, "{\"m_str\":{\"burst\":0,\"leak\":5,\"\":1}}");
    free(json);
    m.m_str = m_str + 1;
    m.n_m_str = 3;
    Waterline__Ctest__AllTypes__MI64Entry mi1 = WATERLINE__CTEST__ALL_TYPES__MI64_ENTRY__INIT;
    mi1.key = -12;
    mi1.value = "minus twelve";
    Waterline__Ctest__AllTypes__MI64Entry *m_i64[] = {&mi1};
    m.m_i64 = m_i64;
    m.n_m_i64 = 1;
    Waterline__Ctest__AllTypes__MBoolEntry mb1 = WATERLINE__CTEST__ALL_TYPES__MBOOL_ENTRY__INIT,
                                           mb2 = WATERLINE__CTEST__ALL_TYPES__MBOOL_ENTRY__INIT;
    mb1.key = 1;
    mb1.value = &inner;
    mb2.key = 0;
    mb2.value = NULL; /* a missing message value is the empty message */
    Waterline__Ctest__AllTypes__MBoolEntry *m_bool[] = {&mb1, &mb2};
    m.m_bool = m_bool;
    m.n_m_bool = 2;
    Waterline__Ctest__AllTypes__MU32Entry mu1 = WATERLINE__CTEST__ALL_TYPES__MU32_ENTRY__INIT;
    mu1.key = 4000000000u;
    mu1.value = WATERLINE__CTEST__COLOR__COLOR_RED;
    Waterline__Ctest__AllTypes__MU32Entry *m_u32[] = {&mu1};
    m.m_u32 = m_u32;
    m.n_m_u32 = 1;
    Waterline__Ctest__AllTypes__MDoubleEntry md1 = WATERLINE__CTEST__ALL_TYPES__MDOUBLE_ENTRY__INIT;
    md1.key = "inf";
    md1.value = INFINITY;
    Waterline__Ctest__AllTypes__MDoubleEntry *m_double[] = {&md1};
    m.m_double = m_double;
    m.n_m_double = 1;
    m.choice_case = WATERLINE__CTEST__ALL_TYPES__CHOICE_O_I;
    m.o_i = 0; /* a oneof member is written even at its default */

    check_json(&m.base,
               "{\"d\":2.5,\"f\":0.10000000149011612,\"i32\":-2147483648,\"i64\":\"9223372036854775807\",\"u32\":4294967295,"
               "\"u64\":\"1\",\"s32\":-7,\"s64\":\"-9007199254740993\",\"fx32\":7,\"fx64\":\"18446744073709551615\","
               "\"sfx32\":-1,\"sfx64\":\"-2\",\"b\":true,\"s\":\"s\",\"by\":\"+/8AYQ==\",\"color\":\"COLOR_BLUE\","
               "\"inner\":{},\"rd\":[0,-0.0,1.5,\"NaN\"],\"ri64\":[\"0\",\"-1\",\"-9223372036854775808\"],"
               "\"rs\":[\"\",\"x\\\"y\"],\"rby\":[\"\",\"Zg==\",\"Zm8=\",\"Zm9v\",\"Zm9vYg==\",\"Zm9vYmE=\",\"Zm9vYmFy\"],"
               "\"rcolor\":[\"COLOR_UNSPECIFIED\",\"COLOR_RED\",7],"
               "\"rinner\":[{\"name\":\"in\",\"n\":-3},{}],\"rb\":[true,false],"
               "\"rf\":[0.3333333432674408,16777216,3.4028234663852886e+38,\"-Infinity\"],\"ru32\":[0,4000000000],"
               "\"m_str\":{\"burst\":0,\"leak\":5,\"\":1},\"m_i64\":{\"-12\":\"minus twelve\"},"
               "\"m_bool\":{\"true\":{\"name\":\"in\",\"n\":-3},\"false\":{}},\"m_u32\":{\"4000000000\":\"COLOR_RED\"},"
               "\"o_i\":0,\"rs64\":[\"-5\"],\"m_double\":{\"inf\":\"Infinity\"}}");

    m.choice_case = WATERLINE__CTEST__ALL_TYPES__CHOICE_O_INNER;
    m.o_inner = &inner;
    Waterline__Ctest__AllTypes one = WATERLINE__CTEST__ALL_TYPES__INIT;
    one.choice_case = WATERLINE__CTEST__ALL_TYPES__CHOICE_O_INNER;
    one.o_inner = &inner;
    check_json(&one.base, "{\"o_inner\":{\"name\":\"in\",\"n\":-3}}");
    one.choice_case = WATERLINE__CTEST__ALL_TYPES__CHOICE_O_S;
    one.o_s = "";
    check_json(&one.base, "{\"o_s\":\"\"}");
}

static void test_proto2(void) {
    Waterline__Ctest2__Legacy m = WATERLINE__CTEST2__LEGACY__INIT;
    check_json(&m.base, "{\"id\":0}"); /* required: always written */
    m.id = 5;
    m.has_count = 1;
    m.count = 0; /* set to its default: written */
    m.label = "";
    m.has_blob = 1;
    m.blob.len = 0;
    m.has_ratio = 1;
    m.ratio = 0.5;
    check_json(&m.base, "{\"id\":5,\"count\":0,\"label\":\"\",\"blob\":\"\",\"ratio\":0.5}");
    m.named = "set";
    check_json(&m.base, "{\"id\":5,\"count\":0,\"label\":\"\",\"named\":\"set\",\"blob\":\"\",\"ratio\":0.5}");
}

static void test_depth(void) {
    enum { N = 102 };
    Waterline__Ctest__Node nodes[N];
    for (int i = 0; i < N; i++) {
        waterline__ctest__node__init(&nodes[i]);
        nodes[i].v = i;
        nodes[i].child = i + 1 < N ? &nodes[i + 1] : NULL;
    }
    wl_buf b = WL_BUF_INIT;
    wl_buf_append_str(&b, "prefix");
    CHECK_INT(wl_json_append_message(&b, &nodes[0].base), -1); /* 102 levels: too deep */
    CHECK_STR(b.data, "prefix");                                /* left as it was */
    CHECK_INT(b.failed, 0);
    CHECK_INT(wl_json_append_message(&b, &nodes[1].base), 0); /* 101 levels: depth 0..100 */
    CHECK(b.len > 6 && strncmp(b.data, "prefix{\"child\":{", 16) == 0);
    wl_buf_free(&b);
}

static void test_buf(void) {
    wl_buf b = WL_BUF_INIT;
    for (int i = 0; i < 1000; i++) wl_buf_printf(&b, "%04d", i);
    CHECK_INT(b.len, 4000);
    CHECK(strncmp(b.data + 3996, "0999", 4) == 0);
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    wl_buf_reset(&b);
    wl_buf_printf(&b, "<%s>", big);
    CHECK_INT(b.len, 601);
    CHECK(b.data[600] == '>' && b.data[601] == '\0');
    wl_buf_free(&b);
}

void test_json_writer(void) {
    test_buf();
    test_strings();
    test_doubles();
    test_event_update();
    test_waterline_maps();
    test_all_types();
    test_proto2();
    test_depth();
}
