/* Topic filters, splitting and matching; event type labels. */
#include <stdlib.h>

#include "check.h"
#include "waterline_client.h"

void test_topic(void) {
    char f[64];
    CHECK_INT(wl_topic_filter(f, sizeof f, "north", "burst"), 19);
    CHECK_STR(f, "insight.north.burst");
    wl_topic_filter(f, sizeof f, "north", NULL);
    CHECK_STR(f, "insight.north.");
    wl_topic_filter(f, sizeof f, "", "burst");
    CHECK_STR(f, "insight."); /* type alone: filtered client-side */
    wl_topic_filter(f, sizeof f, NULL, NULL);
    CHECK_STR(f, "insight.");
    CHECK_INT(wl_topic_filter(f, sizeof f, "a.b", NULL), -1);
    CHECK_INT(wl_topic_filter(f, 10, "north", "burst"), -1);

    char z[16], t[16];
    CHECK_INT(wl_topic_split("insight.north.sensor_fault", z, sizeof z, t, sizeof t), 0);
    CHECK_STR(z, "north");
    CHECK_STR(t, "sensor_fault");
    CHECK_INT(wl_topic_split("insight.north", z, sizeof z, t, sizeof t), -1);
    CHECK_INT(wl_topic_split("insight..burst", z, sizeof z, t, sizeof t), -1);
    CHECK_INT(wl_topic_split("insight.north.", z, sizeof z, t, sizeof t), -1);
    CHECK_INT(wl_topic_split("raw.3", z, sizeof z, t, sizeof t), -1);
    CHECK_INT(wl_topic_split("insight.averyveryverylongzone.leak", z, sizeof z, t, sizeof t), -1);

    CHECK(wl_topic_matches("insight.north.burst", NULL, NULL));
    CHECK(wl_topic_matches("insight.north.burst", "north", ""));
    CHECK(wl_topic_matches("insight.north.burst", NULL, "burst"));
    CHECK(wl_topic_matches("insight.north.burst", "north", "burst"));
    CHECK(!wl_topic_matches("insight.north.burst", "north", "leak"));
    CHECK(!wl_topic_matches("insight.northeast.burst", "north", NULL)); /* a prefix is not the zone */
    CHECK(!wl_topic_matches("insight.south.burst", "north", NULL));
    CHECK(!wl_topic_matches("insight.north", NULL, NULL));

    CHECK_STR(wl_event_type_label(WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_SENSOR_FAULT), "sensor_fault");
    CHECK_STR(wl_event_type_label(WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_TANK_ANOMALY), "tank_anomaly");
    CHECK(wl_event_type_label(0) == NULL);
    CHECK(wl_event_type_label(7) == NULL);
    CHECK(wl_event_type_label(-1) == NULL);
    CHECK_INT(wl_event_type_from_label("burst"), WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_BURST);
    CHECK_INT(wl_event_type_from_label("demand_anomaly"), WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_DEMAND_ANOMALY);
    CHECK_INT(wl_event_type_from_label("BURST"), -1);
    CHECK_INT(wl_event_type_from_label(NULL), -1);
    /* Every label is the lower-case EventType name after EVENT_TYPE_. */
    for (int i = 1; i <= 6; i++) {
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&waterline__v1__event_type__descriptor, i);
        char expected[64];
        size_t n = 0;
        for (const char *c = v->name + 11; *c && n < sizeof expected - 1; c++)
            expected[n++] = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
        expected[n] = '\0';
        CHECK_STR(wl_event_type_label(i), expected);
    }
    CHECK_STR(wl_strerror(WL_ERR_AUTH), "gateway refused the token");
}
