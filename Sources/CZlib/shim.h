#ifndef RISKSIGNAL_CZLIB_SHIM_H
#define RISKSIGNAL_CZLIB_SHIM_H
#include <zlib.h>
#endif
