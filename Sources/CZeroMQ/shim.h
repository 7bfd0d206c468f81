#ifndef WATERLINE_CZEROMQ_SHIM_H
#define WATERLINE_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#endif
