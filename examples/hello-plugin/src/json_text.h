// JSON string escaping for the few values the plugin writes into its response bodies.
// The SDK passes JSON as text, so a plugin brings its own (here: a few lines, no library).
#pragma once

#include <string>
#include <string_view>

namespace hello {

// The body of a JSON string literal for `text` (no surrounding quotes).
std::string json_escape(std::string_view text);

}  // namespace hello
