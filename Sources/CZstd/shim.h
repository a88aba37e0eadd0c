#ifndef RISKSIGNAL_CZSTD_SHIM_H
#define RISKSIGNAL_CZSTD_SHIM_H
#include <zstd.h>
#endif
