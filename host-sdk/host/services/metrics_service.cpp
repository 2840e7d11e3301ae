// Counter storage and Prometheus rendering. Invalid metric names or label text are dropped
// rather than allowed to break the exposition for every other series.
#include "services/metrics_service.h"

namespace host {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Label text must stay on one line and must not close the brace early.
bool valid_labels(std::string_view labels) {
  return labels.find_first_of("\n\r{}") == std::string_view::npos;
}

}  // namespace

void MetricsService::count(std::string_view name, std::string_view labels,
                           std::uint64_t delta) noexcept {
  if (!valid_name(name) || !valid_labels(labels)) return;
  try {
    std::lock_guard lock(mutex_);
    auto series = counters_.find(name);
    if (series == counters_.end()) series = counters_.try_emplace(std::string(name)).first;
    auto value = series->second.find(labels);
    if (value == series->second.end()) {
      value = series->second.emplace(std::string(labels), 0).first;
    }
    value->second += delta;
  } catch (...) {
    // Out of memory: the increment is lost, the request goes on.
  }
}

std::string MetricsService::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, series] : counters_) {
    out += "# TYPE ";
    out += name;
    out += " counter\n";
    for (const auto& [labels, value] : series) {
      out += name;
      if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
      }
      out += ' ';
      out += std::to_string(value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace host
