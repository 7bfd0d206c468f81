import Foundation
import Hummingbird

/// The gateway's REST API as an OpenAPI 3.1 document, served at `/api/v1/openapi.json`.
/// `OpenAPIEndToEndTests` checks that it names every route the gateway serves (and no
/// other) and that no operation answers 5xx to valid or invalid input.
enum OpenAPIDocument {
    static var response: Response {
        var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        response.headers[.contentType] = "application/json"
        return response
    }

    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Waterline gateway",
    "version": "1",
    "description": "REST API of the Waterline gateway: readings in, sensors, series, events and their lifecycle, models and training, health, accounts, the live stream and the public endpoints. Log in at /api/v1/auth/login and send the token as `Authorization: Bearer <token>`; operations without a `security` override need a client account (401 without a token, 403 for the public role), user management needs an administrator. Errors are {\"error\": {\"status\", \"code\", \"message\", \"field\"}}. See README.md, \"REST API\"."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "paths": {
    "/api/v1/readings": {
      "post": {
        "summary": "Submit readings (stored once; each rejected one with its reason)",
        "operationId": "post_api_v1_readings",
        "responses": {
          "200": {
            "description": "all stored (duplicates count as stored)",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "207": {
            "description": "some rejected, the rest stored",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReadingsBatch"
              }
            }
          }
        },
        "tags": [
          "readings"
        ]
      }
    },
    "/api/v1/sensors": {
      "get": {
        "summary": "The sensor registry",
        "operationId": "get_api_v1_sensors",
        "responses": {
          "200": {
            "description": "{\"sensors\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "zone",
            "in": "query",
            "required": false,
            "description": "only this zone",
            "schema": {
              "type": "string"
            }
          }
        ],
        "tags": [
          "sensors"
        ]
      }
    },
    "/api/v1/sensors/{id}/series": {
      "get": {
        "summary": "Raw, clean and scored series of one sensor, or its rollups",
        "operationId": "get_api_v1_sensors_id_series",
        "responses": {
          "200": {
            "description": "{\"sensor_id\", \"resolution\", \"raw\", \"clean\", \"scores\", \"rollups\"}: every point in raw, clean and scores at resolution raw; else rollups, one per step: {\"ts_ms\", \"count\", \"min\", \"mean\", \"max\" (clean values), \"score_count\", \"worst_score\"}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "sensor id",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "description": "epoch ms",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "description": "epoch ms, 0: no bound",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "at most 100000",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "resolution",
            "in": "query",
            "required": false,
            "description": "raw: every point; 5m, 1h, 1d: rollups. Without it: raw when 'to' is absent, else by the range (raw up to 8 days, 5m up to 31, 1h up to 366, then 1d)",
            "schema": {
              "type": "string",
              "enum": [
                "raw",
                "5m",
                "1h",
                "1d"
              ]
            }
          }
        ],
        "tags": [
          "sensors"
        ]
      }
    },
    "/api/v1/events": {
      "get": {
        "summary": "Events, newest start first",
        "operationId": "get_api_v1_events",
        "responses": {
          "200": {
            "description": "{\"events\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "zone",
            "in": "query",
            "required": false,
            "description": "zone",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "type",
            "in": "query",
            "required": false,
            "description": "leak, burst, sensor_fault, data_gap, demand_anomaly, tank_anomaly",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "description": "open, acknowledged, resolved, false_positive",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "description": "event start from, epoch ms",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "description": "event start to, epoch ms",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "default 100, at most 1000",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "updated_from",
            "in": "query",
            "required": false,
            "description": "events changed at or after this time, epoch ms, oldest change first (catching up after a stream gap)",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}": {
      "get": {
        "summary": "One event",
        "operationId": "get_api_v1_events_id",
        "responses": {
          "200": {
            "description": "the event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/acknowledge": {
      "post": {
        "summary": "Acknowledge an open event",
        "operationId": "post_api_v1_events_id_acknowledge",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/resolve": {
      "post": {
        "summary": "Resolve an event",
        "operationId": "post_api_v1_events_id_resolve",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/false-positive": {
      "post": {
        "summary": "Mark an event a false positive (labels it for training)",
        "operationId": "post_api_v1_events_id_false_positive",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/comment": {
      "post": {
        "summary": "Comment on an event (comment required)",
        "operationId": "post_api_v1_events_id_comment",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/confirm-leak": {
      "post": {
        "summary": "Label an event a confirmed leak (for training)",
        "operationId": "post_api_v1_events_id_confirm_leak",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/events/{id}/confirm-sensor-fault": {
      "post": {
        "summary": "Label an event a confirmed sensor fault (for training)",
        "operationId": "post_api_v1_events_id_confirm_sensor_fault",
        "responses": {
          "200": {
            "description": "the updated event",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "event id, <zone>-<type>-<start_ms>",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/summary": {
      "get": {
        "summary": "Open events and losses per zone",
        "operationId": "get_api_v1_summary",
        "responses": {
          "200": {
            "description": "{\"generated_ms\", \"zones\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "events"
        ]
      }
    },
    "/api/v1/models/train": {
      "post": {
        "summary": "Queue a training run",
        "operationId": "post_api_v1_models_train",
        "responses": {
          "202": {
            "description": "{\"queued\": true, \"message\"}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "models"
        ]
      }
    },
    "/api/v1/training-runs": {
      "get": {
        "summary": "Training runs, newest first",
        "operationId": "get_api_v1_training_runs",
        "responses": {
          "200": {
            "description": "{\"runs\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "default 20",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "tags": [
          "models"
        ]
      }
    },
    "/api/v1/models": {
      "get": {
        "summary": "Registered models, newest first",
        "operationId": "get_api_v1_models",
        "responses": {
          "200": {
            "description": "{\"models\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "default 50",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "tags": [
          "models"
        ]
      }
    },
    "/api/v1/models/{version}/promote": {
      "post": {
        "summary": "Put a model version in production",
        "operationId": "post_api_v1_models_version_promote",
        "responses": {
          "200": {
            "description": "the model, now in production",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "parameters": [
          {
            "name": "version",
            "in": "path",
            "required": true,
            "description": "model version",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "models"
        ]
      }
    },
    "/api/v1/models/rollback": {
      "post": {
        "summary": "Put the previous production model back",
        "operationId": "post_api_v1_models_rollback",
        "responses": {
          "200": {
            "description": "the model back in production",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Action"
              }
            }
          }
        },
        "tags": [
          "models"
        ]
      }
    },
    "/api/v1/health": {
      "get": {
        "summary": "Health of the four services behind the gateway",
        "operationId": "get_api_v1_health",
        "responses": {
          "200": {
            "description": "all SERVING",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "503": {
            "description": "degraded: a service does not answer or is not serving",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "health"
        ]
      }
    },
    "/metrics": {
      "get": {
        "summary": "Every replica's counters, gauges, partitions and lag in Prometheus text format",
        "operationId": "get_metrics",
        "responses": {
          "200": {
            "description": "Prometheus exposition format 0.0.4 (waterline_up, waterline_<counter>_total, waterline_partition_lag_seconds, ...)",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "health"
        ]
      }
    },
    "/api/v1/health/live": {
      "get": {
        "summary": "The gateway process is up",
        "operationId": "get_api_v1_health_live",
        "responses": {
          "200": {
            "description": "{\"status\": \"ok\"}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        },
        "tags": [
          "health"
        ],
        "security": []
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "summary": "This document",
        "operationId": "get_api_v1_openapi_json",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        },
        "tags": [
          "health"
        ],
        "security": []
      }
    },
    "/api/v1/auth/login": {
      "post": {
        "summary": "Log in: a signed token (JWT) with its expiry",
        "operationId": "post_api_v1_auth_login",
        "responses": {
          "200": {
            "description": "the token",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "token",
                    "expires_ms",
                    "user"
                  ],
                  "properties": {
                    "token": {
                      "type": "string"
                    },
                    "expires_ms": {
                      "type": "integer"
                    },
                    "user": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ],
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "name",
                  "password"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "password": {
                    "type": "string"
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/auth/me": {
      "get": {
        "summary": "Who the token names (anonymous callers: role public)",
        "operationId": "get_api_v1_auth_me",
        "responses": {
          "200": {
            "description": "the caller",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string"
                    },
                    "role": {
                      "type": "string"
                    },
                    "admin": {
                      "type": "boolean"
                    },
                    "anonymous": {
                      "type": "boolean"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ],
        "security": [
          {},
          {
            "bearer": []
          }
        ]
      }
    },
    "/api/v1/users": {
      "get": {
        "summary": "List accounts (administrators)",
        "operationId": "get_api_v1_users",
        "responses": {
          "200": {
            "description": "the accounts",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "users": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/User"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ]
      },
      "post": {
        "summary": "Add an account (administrators)",
        "operationId": "post_api_v1_users",
        "responses": {
          "201": {
            "description": "added",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/User"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "name",
                  "password"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 3,
                    "maxLength": 64,
                    "pattern": "^[a-z0-9][a-z0-9._@-]*$"
                  },
                  "password": {
                    "type": "string",
                    "minLength": 10
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "client",
                      "public"
                    ],
                    "default": "client"
                  },
                  "admin": {
                    "type": "boolean",
                    "default": false
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/users/{name}/disable": {
      "post": {
        "summary": "Disable an account: no logins, its tokens refused (administrators)",
        "operationId": "post_api_v1_users_name_disable",
        "responses": {
          "200": {
            "description": "the account",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/User"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ],
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/users/{name}/enable": {
      "post": {
        "summary": "Enable an account again (administrators)",
        "operationId": "post_api_v1_users_name_enable",
        "responses": {
          "200": {
            "description": "the account",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/User"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "accounts"
        ],
        "parameters": [
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/stream": {
      "get": {
        "summary": "Live updates as server-sent events: `insight` (an event, as GET /api/v1/events/{id} answers it, whenever it opens or changes), `score` (the watched sensor's scores), `health` (every 10 s), `hello` first. A browser's EventSource may send the token as `access_token` in the query.",
        "operationId": "get_api_v1_stream",
        "responses": {
          "200": {
            "description": "an endless text/event-stream",
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "stream"
        ],
        "parameters": [
          {
            "name": "sensor",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "whose scores to send"
          },
          {
            "name": "access_token",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "the token, for clients that cannot send headers"
          }
        ]
      }
    },
    "/api/v1/public/levels": {
      "get": {
        "summary": "Tanks and reservoirs near a point with their newest level, and the area's pressure in plain words (anyone; rate-limited per address)",
        "operationId": "get_api_v1_public_levels",
        "responses": {
          "200": {
            "description": "levels near the point",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "radius_m": {
                      "type": "number"
                    },
                    "tanks": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "name": {
                            "type": "string"
                          },
                          "kind": {
                            "type": "string",
                            "enum": [
                              "tank",
                              "reservoir"
                            ]
                          },
                          "level_m": {
                            "type": [
                              "number",
                              "null"
                            ]
                          },
                          "updated_ms": {
                            "type": [
                              "integer",
                              "null"
                            ]
                          },
                          "distance_m": {
                            "type": "number"
                          },
                          "lat": {
                            "type": "number"
                          },
                          "lon": {
                            "type": "number"
                          }
                        }
                      }
                    },
                    "pressure": {
                      "type": "object",
                      "properties": {
                        "status": {
                          "type": "string",
                          "enum": [
                            "normal",
                            "low",
                            "outage",
                            "unknown"
                          ]
                        },
                        "message": {
                          "type": "string"
                        },
                        "sensors": {
                          "type": "integer"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "public"
        ],
        "security": [],
        "parameters": [
          {
            "name": "lat",
            "in": "query",
            "required": true,
            "schema": {
              "type": "number",
              "minimum": -90,
              "maximum": 90
            }
          },
          {
            "name": "lon",
            "in": "query",
            "required": true,
            "schema": {
              "type": "number",
              "minimum": -180,
              "maximum": 180
            }
          },
          {
            "name": "radius",
            "in": "query",
            "required": false,
            "schema": {
              "type": "number",
              "minimum": 1,
              "maximum": 10000,
              "default": 2000
            },
            "description": "metres"
          }
        ]
      }
    },
    "/api/v1/public/reports": {
      "post": {
        "summary": "Report a suspected leak (anyone; rate-limited per address). Matched to open leaks and bursts near the position, or in the zone the locality names.",
        "operationId": "post_api_v1_public_reports",
        "responses": {
          "201": {
            "description": "filed",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "report_id": {
                      "type": "string"
                    },
                    "matched_events": {
                      "type": "integer"
                    },
                    "message": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "public"
        ],
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "name",
                  "locality",
                  "suspected_leak"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 80,
                    "description": "letters, spaces and . ' -"
                  },
                  "locality": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 120,
                    "description": "letters, digits, spaces and , . ' - / #"
                  },
                  "remark": {
                    "type": "string",
                    "maxLength": 1000,
                    "description": "no < > or control characters"
                  },
                  "suspected_leak": {
                    "type": "boolean"
                  },
                  "lat": {
                    "type": "number",
                    "minimum": -90,
                    "maximum": 90
                  },
                  "lon": {
                    "type": "number",
                    "minimum": -180,
                    "maximum": 180
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/reports": {
      "get": {
        "summary": "Public reports, newest first, with the events they were matched to",
        "operationId": "get_api_v1_reports",
        "responses": {
          "200": {
            "description": "the reports",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "reports": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PublicReport"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "reports"
        ],
        "parameters": [
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "new",
                "reviewed",
                "dismissed"
              ]
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "default": 100,
              "maximum": 1000
            }
          }
        ]
      }
    },
    "/api/v1/reports/{id}/review": {
      "post": {
        "summary": "Mark a public report reviewed (optional body {\"note\": \"...\"})",
        "operationId": "post_api_v1_reports_id_review",
        "responses": {
          "200": {
            "description": "the report",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PublicReport"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "reports"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/reports/{id}/dismiss": {
      "post": {
        "summary": "Dismiss a public report (optional body {\"note\": \"...\"})",
        "operationId": "post_api_v1_reports_id_dismiss",
        "responses": {
          "200": {
            "description": "the report",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PublicReport"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "reports"
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/sensors/import": {
      "post": {
        "summary": "Register the sensors of a sensors.csv (administrators)",
        "operationId": "post_api_v1_sensors_import",
        "responses": {
          "200": {
            "description": "what was registered",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "registered": {
                      "type": "integer"
                    },
                    "rejected": {
                      "type": "array",
                      "items": {
                        "type": "object"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "sensors"
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "csv"
                ],
                "properties": {
                  "csv": {
                    "type": "string",
                    "description": "sensor_id,kind,unit,zone,node_id,lat,lon,min,max"
                  },
                  "cadence_ms": {
                    "type": "integer",
                    "default": 60000
                  },
                  "inlets": {
                    "type": "array",
                    "description": "flow sensors measuring water entering their zone",
                    "items": {
                      "type": "string"
                    }
                  },
                  "outlets": {
                    "type": "array",
                    "description": "flow sensors measuring water leaving the zone they sit in (id), or taking it out of another zone (id@zone: a meter between two zones, an inlet of its own)",
                    "items": {
                      "type": "string"
                    }
                  },
                  "storage": {
                    "type": "object",
                    "description": "tank level sensors in their zone's balance, each with its tank's cross-section in m2",
                    "additionalProperties": {
                      "type": "number",
                      "exclusiveMinimum": 0
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/settings": {
      "get": {
        "summary": "Run-time settings: the tariff that prices losses, and its currency",
        "operationId": "get_api_v1_settings",
        "responses": {
          "200": {
            "description": "the settings",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Settings"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "settings"
        ]
      },
      "post": {
        "summary": "Set the tariff (administrators); open events are priced with it from their next update",
        "operationId": "post_api_v1_settings",
        "responses": {
          "200": {
            "description": "the settings as stored",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Settings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "settings"
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "tariff_per_m3"
                ],
                "properties": {
                  "tariff_per_m3": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1000000
                  },
                  "currency": {
                    "type": "string",
                    "pattern": "^([A-Z]{3})?$"
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/imports": {
      "post": {
        "summary": "Import a history file into the series (administrators): long or wide CSV, or gzip, as waterline import takes it; the import runs in the background",
        "operationId": "post_api_v1_imports",
        "parameters": [
          {
            "name": "name",
            "in": "query",
            "required": false,
            "description": "the file's name, shown in the list (default upload.csv)",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "text/csv": {
              "schema": {
                "type": "string",
                "description": "sensor_id,ts_ms,value (long) or a time column then one column per sensor (wide)"
              }
            },
            "application/gzip": {
              "schema": {
                "type": "string",
                "format": "binary"
              }
            },
            "application/octet-stream": {
              "schema": {
                "type": "string",
                "format": "binary"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "the import, started; follow it at the Location",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Import"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "imports"
        ]
      },
      "get": {
        "summary": "History imports, newest first (administrators)",
        "operationId": "get_api_v1_imports",
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "default 20, at most 200",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "{\"imports\": [...]}",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "imports": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Import"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "imports"
        ]
      }
    },
    "/api/v1/imports/{id}": {
      "get": {
        "summary": "One history import (administrators)",
        "operationId": "get_api_v1_imports_id",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "the import",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Import"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "422": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "imports"
        ]
      }
    }
  },
  "components": {
    "responses": {
      "Error": {
        "description": "an error, with its reason",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "status",
              "code",
              "message"
            ],
            "properties": {
              "status": {
                "type": "integer"
              },
              "code": {
                "type": "string"
              },
              "message": {
                "type": "string"
              },
              "field": {
                "type": "string"
              }
            }
          }
        }
      },
      "Reading": {
        "type": "object",
        "required": [
          "sensor_id",
          "ts_ms",
          "value"
        ],
        "properties": {
          "sensor_id": {
            "type": "string"
          },
          "ts_ms": {
            "type": "integer"
          },
          "value": {
            "type": "number"
          },
          "trace_id": {
            "type": "string"
          },
          "unit": {
            "type": "string"
          }
        }
      },
      "ReadingsBatch": {
        "type": "object",
        "required": [
          "readings"
        ],
        "properties": {
          "source": {
            "type": "string"
          },
          "readings": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Reading"
            }
          }
        }
      },
      "Action": {
        "type": "object",
        "properties": {
          "comment": {
            "type": "string"
          }
        },
        "description": "the logged-in user is the actor"
      },
      "User": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "client",
              "public"
            ]
          },
          "admin": {
            "type": "boolean"
          },
          "disabled": {
            "type": "boolean"
          },
          "created_ms": {
            "type": "integer"
          }
        }
      },
      "PublicReport": {
        "type": "object",
        "properties": {
          "report_id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "locality": {
            "type": "string"
          },
          "remark": {
            "type": "string"
          },
          "suspected_leak": {
            "type": "boolean"
          },
          "has_position": {
            "type": "boolean"
          },
          "lat": {
            "type": [
              "number",
              "null"
            ]
          },
          "lon": {
            "type": [
              "number",
              "null"
            ]
          },
          "received_ms": {
            "type": "integer"
          },
          "status": {
            "type": "string",
            "enum": [
              "new",
              "reviewed",
              "dismissed"
            ]
          },
          "event_ids": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "handled_by": {
            "type": "string"
          },
          "handled_ms": {
            "type": "integer"
          },
          "note": {
            "type": "string"
          }
        }
      },
      "Settings": {
        "type": "object",
        "properties": {
          "tariff_per_m3": {
            "type": "number"
          },
          "currency": {
            "type": "string"
          },
          "updated_by": {
            "type": "string"
          },
          "updated_ms": {
            "type": "integer"
          }
        }
      },
      "Import": {
        "type": "object",
        "properties": {
          "import_id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "requested_by": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "running",
              "succeeded",
              "failed",
              "interrupted"
            ]
          },
          "upload_bytes": {
            "type": "integer"
          },
          "bytes_read": {
            "type": "integer"
          },
          "readings_sent": {
            "type": "integer"
          },
          "stored": {
            "type": "integer"
          },
          "duplicates": {
            "type": "integer"
          },
          "conflicts": {
            "type": "integer"
          },
          "rejected": {
            "type": "integer"
          },
          "retries": {
            "type": "integer"
          },
          "started_ms": {
            "type": "integer"
          },
          "updated_ms": {
            "type": "integer"
          },
          "finished_ms": {
            "type": "integer"
          },
          "rate": {
            "type": "number"
          },
          "progress": {
            "type": [
              "number",
              "null"
            ]
          },
          "error": {
            "type": "string"
          }
        }
      }
    },
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT"
      }
    }
  },
  "security": [
    {
      "bearer": []
    }
  ]
}
"""#
}
