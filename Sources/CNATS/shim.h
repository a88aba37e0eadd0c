#ifndef RISKSIGNAL_CNATS_SHIM_H
#define RISKSIGNAL_CNATS_SHIM_H
#include <nats/nats.h>
#endif
