// Gate evaluation. Secret mode wins over the plain switch: once a secret is configured,
// a request without the right secret is refused whatever CREATE_TOKENS_FOR_USERS says.
#include "gate.h"

#include "secret_compare.h"

namespace create_token {

namespace {

// The value of a setting, "" when it has none; the error only when the service failed.
hostsdk::Result<std::string> read(hostsdk::Settings& settings, std::string_view workspace,
                                  std::string_view name) {
  auto value = settings.get(workspace, name);
  if (!value.ok() && value.status().code() == hostsdk::StatusCode::kNotFound) {
    return std::string();
  }
  return value;
}

}  // namespace

hostsdk::Result<GateDecision> check_gate(hostsdk::Settings& settings, std::string_view workspace,
                                         const std::optional<std::string>& secret) {
  auto configured = read(settings, workspace, kSecretSetting);
  if (!configured.ok()) return configured.status();
  if (!configured.value().empty()) {
    if (!secret || !secrets_equal(configured.value(), *secret))
      return GateDecision::kSecretMismatch;
    return GateDecision::kOpen;
  }

  auto flag = read(settings, workspace, kGateSetting);
  if (!flag.ok()) return flag.status();
  const bool open = flag.value() == "yes" || flag.value() == "true";
  return open ? GateDecision::kOpen : GateDecision::kClosed;
}

}  // namespace create_token
