// Formats a Refusal into its single log line.
// Values are quoted and control characters dropped, so one refusal is always one line.
#include "loader/refusal.h"

namespace host::loader {
namespace {

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string format_refusal(const std::string& plugin, const std::string& directory,
                           const Refusal& refusal) {
  return "plugin " + quoted(plugin) + " (" + directory + ") not loaded: check " + refusal.check +
         " failed: plugin has " + quoted(refusal.plugin_value) + ", host expects " +
         quoted(refusal.host_value) + "; " + refusal.advice;
}

}  // namespace host::loader
