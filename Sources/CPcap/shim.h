#ifndef RISKSIGNAL_CPCAP_SHIM_H
#define RISKSIGNAL_CPCAP_SHIM_H
#include <stdio.h>
#include <sys/types.h>
#include <pcap/pcap.h>

/* glibc's fopencookie is only declared under _GNU_SOURCE, which Swift's Glibc module is not
   built with. Declare it under our own name, bound to the real symbol by an asm label, so the
   Pcap wrapper can hand libpcap a FILE* that reads from a decompressor. Layout matches glibc's
   cookie_io_functions_t. */
typedef struct {
    ssize_t (*read)(void *cookie, char *buf, size_t size);
    ssize_t (*write)(void *cookie, const char *buf, size_t size);
    int (*seek)(void *cookie, long long *offset, int whence);
    int (*close)(void *cookie);
} risksignal_cookie_io_functions_t;

FILE *risksignal_fopencookie(void *cookie, const char *mode, risksignal_cookie_io_functions_t io_funcs)
    __asm__("fopencookie");
#endif
