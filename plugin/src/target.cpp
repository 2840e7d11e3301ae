// Target selection and the self check. Blank means empty after JavaScript-style trimming,
// which is what Rocket.Chat clients expect.
#include "target.h"

#include "text.h"

namespace create_token {

std::optional<Target> select_target(const RequestBody& body) {
  const auto pick = [](const std::optional<std::string>& field) -> std::optional<std::string> {
    if (!field) return std::nullopt;
    const auto trimmed = trim_whitespace(*field);
    if (trimmed.empty()) return std::nullopt;
    return std::string(trimmed);
  };
  if (auto id = pick(body.user_id)) return Target{TargetKind::kUserId, std::move(*id)};
  if (auto name = pick(body.username)) return Target{TargetKind::kUsername, std::move(*name)};
  if (auto name = pick(body.user)) return Target{TargetKind::kUsername, std::move(*name)};
  return std::nullopt;
}

bool is_self(const Target& target, const hostsdk::Caller& caller) noexcept {
  if (target.kind == TargetKind::kUserId) return target.value == caller.user_id;
  return !caller.username.empty() && ascii_iequals(target.value, caller.username);
}

}  // namespace create_token
