// The plugin library's entry point: the descriptor the host loads, and nothing else.
// HOSTSDK_PLUGIN_ID and HOSTSDK_PLUGIN_VERSION come from manifest.json via hostsdk_add_plugin.
#include "hello/hello_plugin.h"
#include "hostsdk/descriptor.h"

HOSTSDK_DECLARE_PLUGIN(hello::HelloPlugin, HOSTSDK_PLUGIN_ID, HOSTSDK_PLUGIN_VERSION)
