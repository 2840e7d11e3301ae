// The same trivial route body reached two ways, for the dispatch benchmark: through the SDK's
// RouteHandler interface (a virtual call, as the host calls a plugin) and as a plain function.
#pragma once

#include "hostsdk/plugin.h"

namespace rct_bench {

// Defined in another translation unit, so the compiler cannot inline or devirtualise.
hostsdk::RouteHandler& trivial_handler();
void trivial_direct(const hostsdk::Request& request, hostsdk::Response& response);

}  // namespace rct_bench
