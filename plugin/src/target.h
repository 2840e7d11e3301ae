// Which user a request names (spec §2 step 3) and whether that is the caller (step 5),
// decided from the request alone, without looking the target up.
#pragma once

#include <optional>
#include <string>

#include "hostsdk/request.h"
#include "request_body.h"

namespace create_token {

enum class TargetKind { kUserId, kUsername };

struct Target {
  TargetKind kind = TargetKind::kUserId;
  std::string value;  // trimmed
};

// userId if non-blank after trimming, else username, else user; none when all are blank.
std::optional<Target> select_target(const RequestBody& body);

// Same id, or same username ignoring ASCII case.
bool is_self(const Target& target, const hostsdk::Caller& caller) noexcept;

}  // namespace create_token
