// Why the loader refused a plugin: the check, both sides' values and what to do about it.
// Rendered as exactly one log line; the host keeps running without the plugin.
#pragma once

#include <string>

namespace host::loader {

struct Refusal {
  std::string check;         // e.g. "descriptor.build_fingerprint"
  std::string plugin_value;  // what the plugin has
  std::string host_value;    // what this host expects
  std::string advice;        // what to do about it
};

// One line: plugin "<name>" (<dir>) refused at <check>: plugin has <..>, host expects <..>;
// <advice>
std::string format_refusal(const std::string& plugin, const std::string& directory,
                           const Refusal& refusal);

}  // namespace host::loader
