// Side effects of one request, in the order that keeps the store consistent: mint, then
// audit; if the audit cannot be written the token is revoked and the caller gets 503.
#include "create_token_handler.h"

#include "attempt_recorder.h"
#include "decision.h"
#include "responses.h"

namespace create_token {

namespace {

void answer_refusal(AttemptRecorder& recorder, const Refusal& refusal,
                    hostsdk::Response& response) {
  const auto recorded = recorder.refused(reason_code(refusal.reason), refusal.target_id);
  if (!recorded.ok()) {
    recorder.failed("audit", recorded, refusal.target_id);
    return write_error(response, ErrorKind::kServiceUnavailable);
  }
  write_error(response, error_for(refusal.reason), refusal.detail);
}

void answer_failure(AttemptRecorder& recorder, const ServiceFailure& failure,
                    std::string_view target_id, hostsdk::Response& response) {
  recorder.failed(failure.service, failure.status, target_id);
  write_error(response, ErrorKind::kServiceUnavailable);
}

}  // namespace

void CreateTokenHandler::handle(const hostsdk::Request& request, hostsdk::Response& response) {
  // The route requires auth, so the host never calls without a caller; be safe anyway.
  if (request.caller == nullptr || request.caller->user_id.empty()) {
    return write_error(response, ErrorKind::kNotLoggedIn);
  }
  AttemptRecorder recorder(host_, request);
  Decision decision = decide(host_, request);

  if (const auto* refusal = std::get_if<Refusal>(&decision)) {
    return answer_refusal(recorder, *refusal, response);
  }
  if (const auto* failure = std::get_if<ServiceFailure>(&decision)) {
    return answer_failure(recorder, *failure, {}, response);
  }

  const hostsdk::UserInfo& target = std::get<Approval>(decision).target;
  auto token = host_.sessions().issue(request.workspace, target.id);
  if (!token.ok()) {
    // The target vanished between lookup and mint: same answer as an unknown user.
    if (token.status().code() == hostsdk::StatusCode::kNotFound) {
      return answer_refusal(recorder, Refusal{Reason::kUnknownUser, {}, target.id}, response);
    }
    return answer_failure(recorder, ServiceFailure{"sessions", token.status()}, target.id,
                          response);
  }

  const auto recorded = recorder.issued(target.id);
  if (!recorded.ok()) {
    // No token may exist without its audit record: take it back before answering.
    const auto revoked = host_.sessions().revoke(request.workspace, target.id, token.value());
    if (!revoked.ok()) {
      host_.logger().log(hostsdk::LogLevel::kError,
                         "users.createToken could not revoke a token whose audit record failed; "
                         "target=" +
                             target.id + " request=" + std::string(request.request_id));
    }
    return answer_failure(recorder, ServiceFailure{"audit", recorded}, target.id, response);
  }
  write_success(response, target.id, token.value());
}

}  // namespace create_token
