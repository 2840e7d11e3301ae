// Records one users.createToken attempt through the host (spec §6): the audit event, the
// counters and a log line. Never sees the token or the secret, so it cannot leak them.
#pragma once

#include <string_view>

#include "hostsdk/plugin.h"

namespace create_token {

inline constexpr std::string_view kAuditAction = "users.createToken";
inline constexpr std::string_view kIssuedCounter = "createtoken_tokens_issued_total";
inline constexpr std::string_view kRefusalCounter = "createtoken_refusals_total";
inline constexpr std::string_view kUnavailableCounter = "createtoken_service_unavailable_total";
inline constexpr std::string_view kUnavailableReason = "service-unavailable";

class AttemptRecorder {
 public:
  AttemptRecorder(hostsdk::Host& host, const hostsdk::Request& request) noexcept
      : host_(host), request_(request) {}

  // The audit event is written first; if that fails, nothing else is recorded and the
  // failure is returned so that the caller answers 503 instead.
  hostsdk::Status refused(std::string_view reason, std::string_view target_id);
  hostsdk::Status issued(std::string_view target_id);
  // A service failed: best-effort audit event, counter by service, warning.
  void failed(std::string_view service, const hostsdk::Status& status, std::string_view target_id);

 private:
  hostsdk::Status audit(std::string_view outcome, std::string_view reason,
                        std::string_view target_id);
  void log(hostsdk::LogLevel level, std::string_view what, std::string_view target_id);

  hostsdk::Host& host_;
  const hostsdk::Request& request_;
};

}  // namespace create_token
