/* See fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char *dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static Waterline__V1__Evidence *evidence(const char *sensor, const char *kind, int64_t first, int64_t last, double peak,
                                         double mean, double forecast, uint32_t points) {
    Waterline__V1__Evidence *e = malloc(sizeof *e);
    waterline__v1__evidence__init(e);
    e->sensor_id = dup(sensor);
    e->kind = dup(kind);
    e->first_ms = first;
    e->last_ms = last;
    e->peak_score = peak;
    e->mean_deviation = mean;
    e->forecast_mean = forecast;
    e->anomalous_points = points;
    return e;
}

static Waterline__V1__EventAction *action(const char *what, const char *actor, int64_t at, const char *comment) {
    Waterline__V1__EventAction *a = malloc(sizeof *a);
    waterline__v1__event_action__init(a);
    a->action = dup(what);
    a->actor = dup(actor);
    a->at_ms = at;
    a->comment = dup(comment);
    return a;
}

static Waterline__V1__LocationCandidate *candidate(const char *node, const char *link, const char *sensor, double score,
                                                   double lat, double lon) {
    Waterline__V1__LocationCandidate *c = malloc(sizeof *c);
    waterline__v1__location_candidate__init(c);
    c->node_id = dup(node);
    c->link_id = dup(link);
    c->sensor_id = dup(sensor);
    c->score = score;
    c->lat = lat;
    c->lon = lon;
    return c;
}

Waterline__V1__EventUpdate *fixture_full_update(uint64_t sequence, const char *publisher_id, const char *zone,
                                                Waterline__V1__EventType type, int64_t updated_ms) {
    Waterline__V1__EventUpdate *u = malloc(sizeof *u);
    Waterline__V1__Event *e = malloc(sizeof *e);
    Waterline__V1__LossEstimate *loss = malloc(sizeof *loss);
    if (!u || !e || !loss) {
        free(u);
        free(e);
        free(loss);
        return NULL;
    }
    waterline__v1__event_update__init(u);
    waterline__v1__event__init(e);
    waterline__v1__loss_estimate__init(loss);
    u->sequence = sequence;
    u->publisher_id = dup(publisher_id);
    u->change = WATERLINE__V1__EVENT_CHANGE__EVENT_CHANGE_ACKNOWLEDGED;
    u->trace_id = dup("4bf92f3577b34da6a3ce929d0e0e4736");
    u->event = e;

    e->event_id = dup("evt-20240610-0001");
    e->type = type;
    e->status = WATERLINE__V1__EVENT_STATUS__EVENT_STATUS_ACKNOWLEDGED;
    e->zone = dup(zone);
    e->n_sensor_ids = 2;
    e->sensor_ids = malloc(2 * sizeof *e->sensor_ids);
    e->sensor_ids[0] = dup("p-101");
    e->sensor_ids[1] = dup("f-inlet-7");
    e->start_ms = 1718000000000;
    e->last_evidence_ms = 1718000300000;
    e->end_ms = 1718009999999;
    e->severity = 0.8125;
    e->confidence = 0.1;
    e->n_evidence = 2;
    e->evidence = malloc(2 * sizeof *e->evidence);
    e->evidence[0] = evidence("p-101", "pressure", 1718000000000, 1718000300000, 7.25, -0.4321, 3.1, 12);
    e->evidence[1] = evidence("f-inlet-7", "flow", 1718000060000, 1718000240000, 1e-7, 123456.789, -2.5e-3, 4294967295u);
    e->model_version = dup("deepar-2024-06-01");
    e->acknowledged_by = dup("j.doe");
    e->acknowledged_ms = 1718000400000;
    e->resolved_by = dup("ops-night");
    e->resolved_ms = -1;
    e->n_history = 2;
    e->history = malloc(2 * sizeof *e->history);
    e->history[0] = action("opened", "insight", 1718000000000, "");
    e->history[1] = action("acknowledged", "j.doe", 1718000400000, "crew \"B\" sent\nETA 20'");
    e->updated_ms = updated_ms;
    e->summary = dup("Burst on Mill St \\ pump 3: \"large\"\ttab\x01 Zürich 水 😀");
    loss->volume_m3 = 153.25;
    loss->low_m3 = 120.0000000000001;
    loss->high_m3 = 1e300;
    loss->revenue = 229.875;
    loss->tariff_per_m3 = 1.5;
    loss->current_flow_m3h = -0.0;
    e->loss = loss;
    e->n_candidates = 2;
    e->candidates = malloc(2 * sizeof *e->candidates);
    e->candidates[0] = candidate("J-31", "P-12", "", 0.9, 51.507351, -0.127758);
    e->candidates[1] = candidate("", "", "p-101", 0.35, -33.8688, 151.2093);
    e->location_note = dup("network nodes");
    e->label = dup("leak");
    e->labelled_by = dup("crew-b");
    e->labelled_ms = 1718001000000;
    e->public_reports = 3;
    return u;
}
