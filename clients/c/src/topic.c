/* Topics of the insight stream: `insight.<zone>.<type>`, and event type labels. */
#include <stdio.h>
#include <string.h>

#include "waterline_client.h"

static const char *const labels[] = {
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_LEAK] = "leak",
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_BURST] = "burst",
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_SENSOR_FAULT] = "sensor_fault",
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_DATA_GAP] = "data_gap",
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_DEMAND_ANOMALY] = "demand_anomaly",
    [WATERLINE__V1__EVENT_TYPE__EVENT_TYPE_TANK_ANOMALY] = "tank_anomaly",
};

const char *wl_event_type_label(int event_type) {
    if (event_type <= 0 || (size_t)event_type >= sizeof labels / sizeof labels[0]) return NULL;
    return labels[event_type];
}

int wl_event_type_from_label(const char *label) {
    if (!label) return -1;
    for (size_t i = 1; i < sizeof labels / sizeof labels[0]; i++)
        if (labels[i] && strcmp(labels[i], label) == 0) return (int)i;
    return -1;
}

static int given(const char *s) { return s && s[0] != '\0'; }

int wl_topic_filter(char *out, size_t size, const char *zone, const char *type) {
    if ((given(zone) && strchr(zone, '.')) || (given(type) && strchr(type, '.'))) return -1;
    int n;
    if (given(zone) && given(type))
        n = snprintf(out, size, WL_TOPIC_PREFIX "%s.%s", zone, type);
    else if (given(zone))
        n = snprintf(out, size, WL_TOPIC_PREFIX "%s.", zone);
    else
        n = snprintf(out, size, WL_TOPIC_PREFIX); /* a type alone is filtered client-side */
    return (n < 0 || (size_t)n >= size) ? -1 : n;
}

int wl_topic_split(const char *topic, char *zone, size_t zone_size, char *type, size_t type_size) {
    size_t pl = strlen(WL_TOPIC_PREFIX);
    if (!topic || strncmp(topic, WL_TOPIC_PREFIX, pl) != 0) return -1;
    const char *rest = topic + pl;
    const char *dot = strrchr(rest, '.');
    if (!dot || dot == rest || dot[1] == '\0') return -1;
    size_t zl = (size_t)(dot - rest), tl = strlen(dot + 1);
    if (zl >= zone_size || tl >= type_size) return -1;
    memcpy(zone, rest, zl);
    zone[zl] = '\0';
    memcpy(type, dot + 1, tl + 1);
    return 0;
}

int wl_topic_matches(const char *topic, const char *zone, const char *type) {
    char z[256], t[64];
    if (wl_topic_split(topic, z, sizeof z, t, sizeof t) != 0) return 0;
    if (given(zone) && strcmp(zone, z) != 0) return 0;
    if (given(type) && strcmp(type, t) != 0) return 0;
    return 1;
}
