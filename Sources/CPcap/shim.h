#ifndef RISKSIGNAL_CPCAP_SHIM_H
#define RISKSIGNAL_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
