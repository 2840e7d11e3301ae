// Version of the plugin API. Major: incompatible change. Minor: additions only; a host loads
// plugins whose minor is <= its own.
#pragma once

#define HOSTSDK_API_MAJOR 1
#define HOSTSDK_API_MINOR 0
#define HOSTSDK_VERSION_STRING "1.0"
