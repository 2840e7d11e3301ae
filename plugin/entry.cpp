// The plugin library's entry point: the C descriptor the host loads, and nothing else.
// PLUGIN_ID and PLUGIN_VERSION come from manifest.json through the build.
#include "create_token/create_token_plugin.h"
#include "hostsdk/descriptor.h"

HOSTSDK_DECLARE_PLUGIN(create_token::CreateTokenPlugin, PLUGIN_ID, PLUGIN_VERSION)
