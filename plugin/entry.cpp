// The plugin library's entry point: the C descriptor the host loads, and nothing else.
// HOSTSDK_PLUGIN_ID and HOSTSDK_PLUGIN_VERSION come from manifest.json (hostsdk_add_plugin).
#include "create_token/create_token_plugin.h"
#include "hostsdk/descriptor.h"

HOSTSDK_DECLARE_PLUGIN(create_token::CreateTokenPlugin, HOSTSDK_PLUGIN_ID, HOSTSDK_PLUGIN_VERSION)
